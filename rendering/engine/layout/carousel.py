"""Carousels: a cover, the posts flowing over fixed-size slides, an end
slide."""

from dataclasses import dataclass, field

from rendering.engine.layout.blocks import Block, post_blocks
from rendering.engine.layout.cards import shown_posts
from rendering.engine.layout.model import (
    MIN_TITLE_EM,
    TITLE_LINE,
    AvatarBox,
    Metrics,
    Page,
    TextBox,
    ThreadInfo,
    Unrenderable,
    card_frame,
    card_inside,
    slide_height,
)
from rendering.engine.layout.pieces import alt_text, footer, header, images_alt, place_blocks
from rendering.engine.layout.room import check_room
from rendering.engine.text.fitting import FittedText, fit_block

MIN_IMAGE_SHARE = 0.45


@dataclass
class SlideDraft:
    """The blocks of one post slide, gathered while flowing."""

    blocks: list[Block] = field(default_factory=list)


def lay_out_carousel(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    """Cover, the posts flowing over as many slides as they need (a post
    never shares a slide; lines that do not fit move on, a paragraph's
    last line never waits alone at a slide's top), then the end slide."""
    check_room(metrics)
    height = slide_height(metrics)
    pad, inner, column = metrics.padding, metrics.card_padding, metrics.column
    head_height = header(thread, 0, 0, column, metrics)[1] + metrics.gap
    room = height - 2 * pad - 2 * inner - metrics.footer_height - head_height
    drafts: list[SlideDraft] = []
    for index in shown_posts(thread):
        drafts += flow(post_blocks(thread.posts[index], index, column, metrics), room)
        if metrics.max_pages is not None and len(drafts) + 2 > metrics.max_pages:
            raise Unrenderable(
                f"would make more than {metrics.max_pages} pages here, the most one render makes.",
                field="kind",
            )
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
    """The title over the author, centred in the card: the title shrinks
    (down to a legible size) and then loses its end to an ellipsis rather
    than push the author off the slide or run into the footer."""
    x, top, column, room = card_inside(metrics)
    _, head_height = header(thread, 0, 0, column, metrics)
    title = fit_title(thread.title, column, room - head_height - 2 * metrics.gap, metrics)
    title_height = len(title.lines) * title.line_height
    block = title_height + (2 * metrics.gap if title.lines else 0) + head_height
    y = top + max((room - block) / 2, 0)
    boxes: list = [
        TextBox(x, y + i * title.line_height, column, line, "title", size=title.size)
        for i, line in enumerate(title.lines)
    ]
    header_boxes, _ = header(thread, x, y + block - head_height, column, metrics)
    boxes += header_boxes + footer(metrics.width, slide_height(metrics), metrics, f"1/{total}")
    return Page(
        metrics.width,
        slide_height(metrics),
        card_frame(metrics),
        tuple(boxes),
        f"{thread.title}, by {alt_text(thread, [])}",
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


def post_slide(thread: ThreadInfo, draft: SlideDraft, metrics: Metrics, number: str) -> Page:
    height = slide_height(metrics)
    x, top, column, _ = card_inside(metrics)
    boxes, used = header(thread, x, top, column, metrics)
    boxes += place_blocks(draft.blocks, thread.posts, x, top + used + metrics.gap, column, metrics)
    boxes += footer(metrics.width, height, metrics, number)
    shown = sorted({block.post for block in draft.blocks})
    text = "\n".join(block.line.text for block in draft.blocks if block.line)
    pictured = [alt for index in shown if has_images(draft, index) for alt in images_alt(thread.posts[index])]
    alt = "\n".join([text, *pictured]).strip()
    return Page(
        metrics.width, height, card_frame(metrics), tuple(boxes), alt, tuple(index + 1 for index in shown)
    )


def has_images(draft: SlideDraft, post: int) -> bool:
    return any(block.kind == "images" and block.post == post for block in draft.blocks)


def end_slide(thread: ThreadInfo, metrics: Metrics, number: str) -> Page:
    """The avatar over "Follow @handle" and the Studio's end line, centred;
    on a short slide the avatar goes first, then the lines shrink and are cut."""
    x, top, column, room = card_inside(metrics)
    handle = f"@{thread.handle}" if thread.handle else thread.author_name
    below = thread.end_text.strip() or "for more threads like this."
    avatar = metrics.avatar * 2 if metrics.show_avatar else 0.0
    title = fit_title(f"Follow {handle}", column, room / 2, metrics)
    left = room - len(title.lines) * title.line_height
    subtitle = fit_title(below, column, left, metrics, role="subtitle")
    text_height = len(title.lines) * title.line_height + len(subtitle.lines) * subtitle.line_height
    if text_height + avatar + metrics.gap > room:
        avatar = 0.0
    y = top + (room - text_height - (avatar + metrics.gap if avatar else 0)) / 2
    boxes: list = []
    if avatar:
        boxes.append(AvatarBox(metrics.width / 2 - avatar / 2, y, avatar))
        y += avatar + metrics.gap
    for fitted, role in ((title, "title"), (subtitle, "subtitle")):
        for line in fitted.lines:
            boxes.append(TextBox(x + (column - line.width) / 2, y, line.width, line, role, size=fitted.size))
            y += fitted.line_height
    boxes += footer(metrics.width, slide_height(metrics), metrics, number)
    lines = [box.line.text for box in boxes if isinstance(box, TextBox) and box.role in ("title", "subtitle")]
    return Page(metrics.width, slide_height(metrics), card_frame(metrics), tuple(boxes), " ".join(lines))
