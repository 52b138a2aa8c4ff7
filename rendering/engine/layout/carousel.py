"""Carousels: a cover, the posts composed over fixed-size slides, an end
slide."""

from rendering.engine.layout.blocks import Block, images_height, shown_posts
from rendering.engine.layout.compose import MIN_IMAGE_SHARE, Setting, Slide, compose, too_many_pages
from rendering.engine.layout.model import (
    MIN_TITLE_EM,
    TITLE_LINE,
    Metrics,
    Page,
    TextBox,
    ThreadInfo,
    Unrenderable,
    card_frame,
    card_inside,
    logo_boxes,
    slide_height,
)
from rendering.engine.layout.pieces import (
    author_label,
    avatar_box,
    footer,
    header,
    images_alt,
    place_blocks,
    shows_avatar,
    under_header,
)
from rendering.engine.layout.room import check_room
from rendering.engine.text.fitting import FittedText, fit_block


def lay_out_carousel(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    """Cover, the posts composed over as many slides as they need
    (`compose`: cut at paragraphs, then sentences, then lines, pictures
    kept with their text, sizes fitted, short posts packed), then the end
    slide."""
    check_room(metrics)
    room = post_room(thread, metrics)
    slides = compose(thread, shown_posts(thread), metrics, room)
    total = len(slides) + thread.cover + thread.end
    if metrics.max_pages is not None and total > metrics.max_pages:
        raise too_many_pages(metrics.max_pages)
    if not total:
        raise Unrenderable("leaves no slide to show: every slide is hidden.", field="carousel")
    pages = [cover(thread, metrics, total)] if thread.cover else []
    for slide in slides:
        pages.append(post_slide(thread, slide, metrics, room, f"{len(pages) + 1}/{total}"))
    if thread.end:
        pages.append(end_slide(thread, metrics, f"{total}/{total}"))
    return pages


def post_room(thread: ThreadInfo, metrics: Metrics) -> float:
    """The height a post slide's card leaves under its header."""
    return card_inside(metrics)[3] - under_header(header(thread, 0, 0, metrics.column, metrics)[1], metrics)


def cover(thread: ThreadInfo, metrics: Metrics, total: int) -> Page:
    """The title over the author, centred in the card: the title shrinks
    (down to a legible size) and then loses its end to an ellipsis rather
    than push the author off the slide or run into the footer."""
    x, top, column, room = card_inside(metrics)
    _, head_height = header(thread, 0, 0, column, metrics)
    title = fit_title(thread.title, column, room - head_height - 2 * metrics.gap, metrics)
    title_height = len(title.lines) * title.line_height
    block = title_height + (2 * metrics.gap if title.lines and head_height else 0) + head_height
    y = top + max((room - block) / 2, 0)
    boxes: list = [
        TextBox(x, y + i * title.line_height, column, line, "title", size=title.size)
        for i, line in enumerate(title.lines)
    ]
    header_boxes, _ = header(thread, x, y + block - head_height, column, metrics)
    boxes += header_boxes + footer(metrics.width, slide_height(metrics), metrics, f"1/{total}")
    boxes += logo_boxes(metrics, card_frame(metrics))
    return Page(
        metrics.width,
        slide_height(metrics),
        card_frame(metrics),
        tuple(boxes),
        f"{thread.title}, by {author_label(thread)}" if author_label(thread) else thread.title,
        role="cover",
        text=thread.title,
    )


def fit_title(text: str, width: float, height: float, metrics: Metrics, role: str = "title") -> FittedText:
    largest = round(metrics.size(role))
    smallest = min(largest, round(metrics.body_size * MIN_TITLE_EM))
    return fit_block(
        text,
        width=width,
        height=height,
        sizes=shrinking_sizes(largest, smallest),
        measure_at=lambda size: metrics.measure_at(role, size),
        leading=TITLE_LINE,
    )


def shrinking_sizes(largest: int, smallest: int) -> tuple[int, ...]:
    """From `largest` down to `smallest` in steps of about 8 %: a handful of
    tries, each a wrap at a new size."""
    sizes = [largest]
    while sizes[-1] > smallest:
        sizes.append(max(min(round(sizes[-1] * 0.92), sizes[-1] - 1), smallest))
    return tuple(sizes)


def post_slide(thread: ThreadInfo, slide: Slide, metrics: Metrics, room: float, number: str) -> Page:
    """The header at the top of the card and the slide's posts under it, at
    the top of the room left or centred in it (`card.align`)."""
    height = slide_height(metrics)
    x, top, column, _ = card_inside(metrics)
    boxes, used = header(thread, x, top, column, metrics)
    blocks = slide_blocks(thread, slide, metrics, room)
    content = sum(block.height for block in blocks)
    y = top + under_header(used, metrics) + (max(room - content, 0) / 2 if metrics.align == "center" else 0)
    boxes += place_blocks(blocks, thread.posts, x, y, column, metrics, size=slide.size)
    boxes += footer(metrics.width, height, metrics, number)
    boxes += logo_boxes(metrics, card_frame(metrics))
    shown = [part.post for part in slide.parts]
    first = slide.parts[0]
    return Page(
        metrics.width,
        height,
        card_frame(metrics),
        tuple(boxes),
        slide_alt(thread, slide),
        tuple(thread.position(index) for index in shown),
        role="post",
        part=first.number,
        text="\n\n".join("\n\n".join(part.paragraphs) for part in slide.parts),
        starts=first.starts if len(slide.parts) == 1 else (),
    )


def slide_blocks(thread: ThreadInfo, slide: Slide, metrics: Metrics, room: float) -> list[Block]:
    """The slide's lines, paragraph gaps, pictures and the rules between
    packed posts, at the slide's size, the pictures shrunk as composing
    found they must be."""
    pictures = {
        part.post: min(images_height(thread.posts[part.post].images, metrics.column, metrics), room)
        for part in slide.parts
        if part.images
    }
    setting = Setting(slide.size, metrics, room, pictures)
    share = setting.picture_share(slide.parts) or MIN_IMAGE_SHARE
    blocks: list[Block] = []
    for order, part in enumerate(slide.parts):
        if order:
            blocks.append(Block("rule", setting.rule, post=part.post))
        for at, paragraph in enumerate(part.paragraphs):
            if at:
                blocks.append(Block("gap", setting.gap, post=part.post))
            lines = setting.lines(paragraph)
            blocks += [Block("line", setting.line_height, line, part.post) for line in lines]
        if part.images:
            blocks.append(Block("images", round(pictures[part.post] * share), post=part.post))
    return blocks


def slide_alt(thread: ThreadInfo, slide: Slide) -> str:
    """The slide's words as written (paragraphs, not the layout's lines),
    then what its pictures show."""
    texts = ["\n\n".join(part.paragraphs) for part in slide.parts]
    pictured = [alt for part in slide.parts if part.images for alt in images_alt(thread.posts[part.post])]
    return "\n".join([*[text for text in texts if text], *pictured]).strip()


# The end slide's words when the thread names its author, and when it does not.
FOLLOW_LINE = "for more threads like this."
THANKS = "Thanks for reading"


def end_words(thread: ThreadInfo) -> tuple[str, str]:
    """The end slide's title and the line under it: "Follow @handle" (or
    the name) over the Studio's end line; for a thread that names no
    author, the end line alone as the title, or "Thanks for reading"."""
    handle, name, own = thread.handle.strip(), thread.author_name.strip(), thread.end_text.strip()
    who = f"@{handle}" if handle else name
    if not who:
        return own or THANKS, ""
    return f"Follow {who}", own or FOLLOW_LINE


def end_slide(thread: ThreadInfo, metrics: Metrics, number: str) -> Page:
    """The avatar over "Follow @handle" and the Studio's end line, centred;
    on a short slide the avatar goes first, then the lines shrink and are cut."""
    x, top, column, room = card_inside(metrics)
    words, below = end_words(thread)
    avatar = metrics.avatar * 2 if shows_avatar(thread, metrics) else 0.0
    title = fit_title(words, column, room / 2 if below else room, metrics)
    fitted = [(title, "title")]
    if below:
        left = room - len(title.lines) * title.line_height
        fitted.append((fit_title(below, column, left, metrics, role="subtitle"), "subtitle"))
    text_height = sum(len(block.lines) * block.line_height for block, _ in fitted)
    if text_height + avatar + metrics.gap > room:
        avatar = 0.0
    y = top + (room - text_height - (avatar + metrics.gap if avatar else 0)) / 2
    boxes: list = []
    if avatar:
        boxes.append(avatar_box(thread, metrics.width / 2 - avatar / 2, y, avatar))
        y += avatar + metrics.gap
    for block, role in fitted:
        for line in block.lines:
            boxes.append(TextBox(x + (column - line.width) / 2, y, line.width, line, role, size=block.size))
            y += block.line_height
    boxes += footer(metrics.width, slide_height(metrics), metrics, number)
    boxes += logo_boxes(metrics, card_frame(metrics))
    lines = [box.line.text for box in boxes if isinstance(box, TextBox) and box.role in ("title", "subtitle")]
    text = " ".join(lines)
    return Page(
        metrics.width, slide_height(metrics), card_frame(metrics), tuple(boxes), text, role="end", text=text
    )
