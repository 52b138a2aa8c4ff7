"""Layout: where every line, image, avatar and card goes. Pure: it is given
the measurements (a function from text to width per text role) and returns
frozen boxes; it never draws and knows nothing of Pillow or Django.

Units are output pixels: the caller multiplies the style's CSS pixels by
`Metrics.unit` before calling."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from rendering.engine.text.bidi import is_rtl
from rendering.engine.text.breaking import Line, Measure, wrap

# --- Input ----------------------------------------------------------------


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    placeholder: bool = False


@dataclass(frozen=True)
class PostInfo:
    text: str
    images: tuple[ImageInfo, ...] = ()


@dataclass(frozen=True)
class ThreadInfo:
    title: str
    author_name: str
    handle: str
    posts: tuple[PostInfo, ...]
    end_text: str = ""  # the end slide's line under "Follow @handle" (Carousel Studio)


@dataclass(frozen=True)
class Metrics:
    """Sizes in output pixels and the measuring functions per text role."""

    width: int
    height: int | None  # None: fitted to the content
    padding: float
    card_padding: float
    radius: float
    body_size: float
    line_height: float
    measure: dict[str, Measure]
    show_avatar: bool = True
    show_name: bool = True
    show_handle: bool = True
    slide_numbers: bool = True
    watermark: bool = True

    @property
    def avatar(self) -> float:
        return round(self.body_size * 2.75)

    @property
    def gap(self) -> float:
        return round(self.body_size * 0.85)

    @property
    def footer_height(self) -> float:
        return round(self.body_size * 2.2) if (self.watermark or self.slide_numbers) else 0


# --- Output ---------------------------------------------------------------


@dataclass(frozen=True)
class TextBox:
    x: float
    y: float
    width: float  # the column width: RTL lines align to its right edge
    line: Line
    role: str  # body, name, handle, title, subtitle, footer, number


@dataclass(frozen=True)
class ImageBox:
    x: float
    y: float
    width: float
    height: float
    post: int
    index: int
    radius: float


@dataclass(frozen=True)
class AvatarBox:
    x: float
    y: float
    diameter: float


@dataclass(frozen=True)
class RuleBox:
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class Page:
    width: int
    height: int
    card: tuple[float, float, float, float]  # x, y, width, height
    boxes: tuple[TextBox | ImageBox | AvatarBox | RuleBox, ...]
    alt: str = ""


# --- Lines ----------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return [part.strip("\n") for part in text.split("\n\n") if part.strip()]


@dataclass(frozen=True)
class Block:
    """A piece of a post's flow: a line of text, a paragraph gap, or the
    post's images."""

    kind: str  # line, gap, images
    height: float
    line: Line | None = None
    post: int = 0


def post_blocks(post: PostInfo, number: int, column: float, metrics: Metrics) -> list[Block]:
    blocks: list[Block] = []
    for index, paragraph in enumerate(paragraphs(post.text)):
        if index:
            blocks.append(Block("gap", round(metrics.line_height * 0.55), post=number))
        for raw_line in paragraph.split("\n"):
            for line in wrap(raw_line, column, metrics.measure["body"]):
                blocks.append(Block("line", metrics.line_height, line, number))
    if post.images:
        blocks.append(Block("images", images_height(post.images, column, metrics), post=number))
    return blocks


# --- Images ---------------------------------------------------------------


def images_height(images: Sequence[ImageInfo], column: float, metrics: Metrics) -> float:
    return round(metrics.gap + grid_height(images, column))


def grid_height(images: Sequence[ImageInfo], column: float) -> float:
    if len(images) == 1:
        image = images[0]
        ratio = 9 / 16 if image.placeholder or not image.width else image.height / image.width
        return round(column * min(max(ratio, 0.45), 1.25))
    return round(column * (0.62 if len(images) <= 3 else 0.8))


def image_grid(
    images: Sequence[ImageInfo], x: float, y: float, column: float, height: float, post: int, radius: float
) -> list[ImageBox]:
    """One image full width; two side by side; three as one tall and two
    stacked; four in a 2×2 grid."""
    gap = round(column * 0.02)
    half = (column - gap) / 2
    half_height = (height - gap) / 2
    cells: list[tuple[float, float, float, float]]
    if len(images) == 1:
        cells = [(x, y, column, height)]
    elif len(images) == 2:
        cells = [(x, y, half, height), (x + half + gap, y, half, height)]
    elif len(images) == 3:
        cells = [
            (x, y, half, height),
            (x + half + gap, y, half, half_height),
            (x + half + gap, y + half_height + gap, half, half_height),
        ]
    else:
        cells = [
            (x + col * (half + gap), y + row * (half_height + gap), half, half_height)
            for row in range(2)
            for col in range(2)
        ]
    return [ImageBox(cx, cy, cw, ch, post, index, radius) for index, (cx, cy, cw, ch) in enumerate(cells)]


# --- Pieces of a card -------------------------------------------------------


def header(thread: ThreadInfo, x: float, y: float, column: float, metrics: Metrics) -> tuple[list, float]:
    """Avatar, name and @handle; returns the boxes and the height used."""
    boxes: list = []
    text_x = x
    height = 0.0
    if metrics.show_avatar:
        boxes.append(AvatarBox(x, y, metrics.avatar))
        text_x = x + metrics.avatar + metrics.gap
        height = metrics.avatar
    rows = []
    if metrics.show_name and thread.author_name:
        rows.append(("name", thread.author_name))
    if metrics.show_handle and thread.handle:
        rows.append(("handle", f"@{thread.handle}"))
    row_height = metrics.body_size * 1.35
    top = y + max((height - row_height * len(rows)) / 2, 0)
    for index, (role, text) in enumerate(rows):
        line = Line(text, metrics.measure[role](text), is_rtl(text))
        boxes.append(TextBox(text_x, top + index * row_height, x + column - text_x, line, role))
    return boxes, max(height, row_height * len(rows))


def place_blocks(
    blocks: Sequence[Block], posts: Sequence[PostInfo], x: float, y: float, column: float, metrics: Metrics
) -> list:
    boxes: list = []
    for block in blocks:
        if block.kind == "line" and block.line is not None:
            boxes.append(TextBox(x, y, column, block.line, "body"))
        elif block.kind == "images":
            images = posts[block.post].images
            grid = block.height - metrics.gap
            boxes.extend(
                image_grid(images, x, y + metrics.gap, column, grid, block.post, metrics.radius * 0.5)
            )
        y += block.height
    return boxes


def footer(page_width: float, page_height: float, metrics: Metrics, number: str = "") -> list:
    boxes: list = []
    baseline = page_height - metrics.padding / 2 - metrics.body_size * 0.75
    if metrics.watermark:
        text = "Generated by Thread Navigator"
        width = metrics.measure["footer"](text)
        boxes.append(TextBox((page_width - width) / 2, baseline, width, Line(text, width), "footer"))
    if number and metrics.slide_numbers:
        width = metrics.measure["number"](number)
        right = page_width - metrics.padding
        boxes.append(TextBox(right - width, baseline, width, Line(number, width), "number"))
    return boxes


def alt_text(thread: ThreadInfo, posts: Sequence[int]) -> str:
    author = f"{thread.author_name} (@{thread.handle})" if thread.handle else thread.author_name
    text = "\n\n".join(thread.posts[index].text for index in posts)
    return f"{author}: {text}" if author else text


# --- Kinds ------------------------------------------------------------------


def fitted_page(thread: ThreadInfo, posts: Sequence[int], metrics: Metrics, rules: bool) -> Page:
    """One card whose height fits its content: a `cards` image (one post)
    or the `thread` image (all posts, separated by rules)."""
    pad, inner = metrics.padding, metrics.card_padding
    x, column = pad + inner, metrics.width - 2 * (pad + inner)
    boxes, used = header(thread, x, pad + inner, column, metrics)
    y = pad + inner + used + metrics.gap
    for order, index in enumerate(posts):
        if order and rules:
            boxes.append(RuleBox(x, y + metrics.gap, column))
            y += metrics.gap * 2
        blocks = post_blocks(thread.posts[index], index, column, metrics)
        boxes += place_blocks(blocks, thread.posts, x, y, column, metrics)
        y += sum(block.height for block in blocks)
    card_height = y + inner - pad
    height = round(y + inner + pad + metrics.footer_height)
    boxes += footer(metrics.width, height, metrics)
    return Page(
        metrics.width,
        height,
        (pad, pad, metrics.width - 2 * pad, card_height),
        tuple(boxes),
        alt_text(thread, posts),
    )


def lay_out_cards(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    return [fitted_page(thread, [index], metrics, rules=False) for index in range(len(thread.posts))]


def lay_out_thread(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    return [fitted_page(thread, range(len(thread.posts)), metrics, rules=True)]


# Images shrink to fit the rest of a slide down to this share of their size.
MIN_IMAGE_SHARE = 0.45


@dataclass
class SlideDraft:
    """The blocks of one post slide, gathered while flowing."""

    blocks: list[Block] = field(default_factory=list)


def lay_out_carousel(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    """Cover, the posts flowing over as many slides as they need (a post
    never shares a slide; lines that do not fit move on, a paragraph's
    last line never waits alone at a slide's top), then the end slide."""
    height = slide_height(metrics)
    pad, inner = metrics.padding, metrics.card_padding
    column = metrics.width - 2 * (pad + inner)
    head_height = header(thread, 0, 0, column, metrics)[1] + metrics.gap
    room = height - 2 * pad - 2 * inner - metrics.footer_height - head_height
    drafts: list[SlideDraft] = []
    for index, post in enumerate(thread.posts):
        drafts += flow(post_blocks(post, index, column, metrics), room)
    total = len(drafts) + 2
    pages = [cover(thread, metrics, total)]
    for number, draft in enumerate(drafts, start=2):
        pages.append(post_slide(thread, draft, metrics, f"{number}/{total}"))
    pages.append(end_slide(thread, metrics, f"{total}/{total}"))
    return pages


def flow(blocks: list[Block], room: float) -> list[SlideDraft]:
    drafts = [SlideDraft()]
    used = 0.0
    for position, block in enumerate(blocks):
        height = min(block.height, room) if block.kind == "images" else block.height
        if block.kind == "images" and used + height > room and room - used >= height * MIN_IMAGE_SHARE:
            height = room - used  # shrink the images into the space left rather than leave it empty
        if used + height > room and drafts[-1].blocks:
            carried = widow_lines(drafts[-1].blocks, blocks, position)
            drafts.append(SlideDraft(blocks=carried))
            used = sum(b.height for b in carried)
            if block.kind == "gap":
                continue
        drafts[-1].blocks.append(
            Block(block.kind, height, block.line, block.post) if height != block.height else block
        )
        used += height
    return drafts


def widow_lines(previous: list[Block], blocks: list[Block], position: int) -> list[Block]:
    """Move the last line of a paragraph along when only it would start
    the next slide, so no paragraph ends with a lone line up top."""
    next_is_last_line = (
        blocks[position].kind == "line"
        and (position + 1 == len(blocks) or blocks[position + 1].kind != "line")
        and len(previous) >= 3
        and previous[-1].kind == "line"
        and previous[-2].kind == "line"
    )
    return [previous.pop()] if next_is_last_line else []


def cover(thread: ThreadInfo, metrics: Metrics, total: int) -> Page:
    height = slide_height(metrics)
    pad, inner = metrics.padding, metrics.card_padding
    x, column = pad + inner, metrics.width - 2 * (pad + inner)
    title_lines = wrap(thread.title, column, metrics.measure["title"])
    title_height = metrics.body_size * 2.4 * 1.25
    _, head_height = header(thread, 0, 0, column, metrics)
    block = len(title_lines) * title_height + metrics.gap * 2 + head_height
    top = max(pad + inner, (height - block) / 2)
    boxes: list = [
        TextBox(x, top + i * title_height, column, line, "title") for i, line in enumerate(title_lines)
    ]
    header_boxes, _ = header(
        thread, x, top + len(title_lines) * title_height + metrics.gap * 2, column, metrics
    )
    boxes += header_boxes + footer(metrics.width, height, metrics, f"1/{total}")
    return Page(
        metrics.width,
        height,
        card_frame(metrics),
        tuple(boxes),
        f"{thread.title}, by {alt_text(thread, [])}",
    )


def post_slide(thread: ThreadInfo, draft: SlideDraft, metrics: Metrics, number: str) -> Page:
    height = slide_height(metrics)
    pad, inner = metrics.padding, metrics.card_padding
    x, column = pad + inner, metrics.width - 2 * (pad + inner)
    boxes, used = header(thread, x, pad + inner, column, metrics)
    boxes += place_blocks(draft.blocks, thread.posts, x, pad + inner + used + metrics.gap, column, metrics)
    boxes += footer(metrics.width, height, metrics, number)
    text = "\n".join(block.line.text for block in draft.blocks if block.line)
    return Page(metrics.width, height, card_frame(metrics), tuple(boxes), text)


def end_slide(thread: ThreadInfo, metrics: Metrics, number: str) -> Page:
    height = slide_height(metrics)
    pad, inner = metrics.padding, metrics.card_padding
    x, column = pad + inner, metrics.width - 2 * (pad + inner)
    handle = f"@{thread.handle}" if thread.handle else thread.author_name
    rows = [(line, "title") for line in wrap(f"Follow {handle}", column, metrics.measure["title"])]
    below = thread.end_text.strip() or "for more threads like this."
    for part in paragraphs(below):
        rows += [(line, "subtitle") for line in wrap(part, column, metrics.measure["subtitle"])]
    title_height = metrics.body_size * 2.4 * 1.25
    top = (height - title_height * len(rows)) / 2
    boxes: list = []
    for index, (line, role) in enumerate(rows):
        boxes.append(
            TextBox(x + (column - line.width) / 2, top + index * title_height, line.width, line, role)
        )
    lines = [row[0].text for row in rows]
    if metrics.show_avatar:
        boxes.append(
            AvatarBox(
                metrics.width / 2 - metrics.avatar, top - metrics.avatar * 2 - metrics.gap, metrics.avatar * 2
            )
        )
    boxes += footer(metrics.width, height, metrics, number)
    return Page(metrics.width, height, card_frame(metrics), tuple(boxes), " ".join(lines))


def card_frame(metrics: Metrics) -> tuple[float, float, float, float]:
    pad = metrics.padding
    return (pad, pad, metrics.width - 2 * pad, slide_height(metrics) - 2 * pad - metrics.footer_height)


def slide_height(metrics: Metrics) -> int:
    if metrics.height is None:
        raise ValueError("carousel slides need a fixed height")
    return metrics.height
