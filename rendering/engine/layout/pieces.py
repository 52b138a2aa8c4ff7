"""The parts every page has: the header (avatar, name, handle), the post's
blocks placed, and the footer (watermark and slide number)."""

import unicodedata
from collections.abc import Sequence

import unicode_segmentation_rs as segmentation

from rendering.engine.layout.blocks import Block, image_grid
from rendering.engine.layout.model import (
    HEADER_ROW_EM,
    MIN_FOOTER_SHARE,
    WATERMARK,
    AvatarBox,
    Metrics,
    PostInfo,
    RuleBox,
    TextBox,
    ThreadInfo,
)
from rendering.engine.text.bidi import is_rtl, isolate
from rendering.engine.text.breaking import Line, Measure
from rendering.engine.text.fitting import ellipsize

# A cluster with these is an emoji or a keycap, whatever its first character.
EMOJI_STYLE, KEYCAP = "\ufe0f", "\u20e3"

# --- Pieces of a card -------------------------------------------------------


def header(thread: ThreadInfo, x: float, y: float, column: float, metrics: Metrics) -> tuple[list, float]:
    """Avatar, name and @handle; returns the boxes and the height used
    (0 for a thread with none of them to show). A right-to-left name
    mirrors the header: the avatar on the right, the rows aligned to it.
    Names and handles are cut with an ellipsis to their box, never drawn
    past it."""
    rtl = is_rtl(thread.author_name)
    boxes: list = []
    avatar = metrics.avatar if shows_avatar(thread, metrics) else 0.0
    beside = avatar + metrics.gap if avatar else 0.0
    if avatar:
        boxes.append(avatar_box(thread, x + column - avatar if rtl else x, y, avatar))
    text_x, text_width = (x if rtl else x + beside), column - beside
    rows = header_rows(thread, text_width, metrics, rtl)
    row_height = metrics.body_size * HEADER_ROW_EM
    top = y + max((avatar - row_height * len(rows)) / 2, 0)
    for index, (role, line) in enumerate(rows):
        boxes.append(TextBox(text_x, top + index * row_height, text_width, line, role))
    return boxes, max(avatar, row_height * len(rows))


def under_header(used: float, metrics: Metrics) -> float:
    """The header's height and the gap under it: none when it is empty."""
    return used + metrics.gap if used else 0.0


def shows_avatar(thread: ThreadInfo, metrics: Metrics) -> bool:
    """The style shows avatars and the author has a picture or initials: a
    thread with neither name nor handle gets no avatar, not a "?"."""
    return metrics.show_avatar and (thread.avatar or bool(author_initials(thread)))


def avatar_box(thread: ThreadInfo, x: float, y: float, diameter: float) -> AvatarBox:
    return AvatarBox(x, y, diameter, "" if thread.avatar else author_initials(thread))


def author_initials(thread: ThreadInfo) -> str:
    """The letters on a picture-less avatar: the name's, else the handle's."""
    return initials(thread.author_name) or initials(thread.handle)


def initials(name: str) -> str:
    """Up to two letters for an avatar, like a mail client's: the name's
    first letter (or digit, symbol or emoji) as a whole grapheme cluster,
    in capitals where the script has them ("ω" → "Ω"; "ß" and "ა" stay),
    and the last word's first when both are capitals ("Ann Lee" → "AL");
    "" when the name has none."""
    first = first_initial(name)
    words = name.split()
    if not first or len(words) < 2:
        return first
    last = first_initial(words[-1])
    return first + last if first.isupper() and last.isupper() else first


def first_initial(text: str) -> str:
    for cluster in segmentation.graphemes(text, True):
        if unicodedata.category(cluster[0])[0] in "LNS" or EMOJI_STYLE in cluster or KEYCAP in cluster:
            titled = cluster.title()
            return titled if len(segmentation.graphemes(titled, True)) == 1 else cluster
    return ""


def author_label(thread: ThreadInfo) -> str:
    """Who wrote the thread, for alt text: "Ann (@ann)", "Ann", "@ann" or ""."""
    name, handle = thread.author_name.strip(), thread.handle.strip()
    if name and handle:
        return f"{name} (@{handle})"
    return name or (f"@{handle}" if handle else "")


def header_rows(thread: ThreadInfo, width: float, metrics: Metrics, rtl: bool) -> list[tuple[str, Line]]:
    rows: list[tuple[str, Line]] = []
    if metrics.show_name and thread.author_name.strip():
        rows.append(("name", fitted_line(thread.author_name, width, metrics.measure["name"], rtl)))
    if metrics.show_handle and thread.handle.strip():
        measure = metrics.measure["handle"]
        handle = ellipsize(f"@{thread.handle}", width, measure)
        # An isolate: the handle is ordered by itself in any header direction.
        rows.append(("handle", Line(isolate(handle), measure(handle), rtl)))
    return [(role, line) for role, line in rows if line.text]


def fitted_line(text: str, width: float, measure: Measure, rtl: bool) -> Line:
    fitted = ellipsize(text, width, measure)
    return Line(fitted, measure(fitted), rtl)


def place_blocks(
    blocks: Sequence[Block],
    posts: Sequence[PostInfo],
    x: float,
    y: float,
    column: float,
    metrics: Metrics,
    size: float | None = None,
) -> list:
    """Boxes for `blocks` from `y` down; body lines drawn at `size` when
    it is not the body size (a carousel slide's fitted text)."""
    boxes: list = []
    drawn_at = None if size is None or size == metrics.body_size else size
    for block in blocks:
        if block.kind == "line" and block.line is not None:
            boxes.append(TextBox(x, y, column, block.line, "body", size=drawn_at))
        elif block.kind == "rule":
            boxes.append(RuleBox(x, y + block.height / 2, column))
        elif block.kind == "images":
            images = posts[block.post].images
            grid = block.height - metrics.gap
            boxes.extend(
                image_grid(images, x, y + metrics.gap, column, grid, block.post, metrics.radius * 0.5)
            )
        y += block.height
    return boxes


def footer(page_width: float, page_height: float, metrics: Metrics, number: str = "") -> list:
    """The watermark centred and the slide number at the right, in the band
    under the card. When they would meet, the watermark moves to the left;
    on a canvas too narrow even for that it shrinks, to `MIN_FOOTER_SHARE`
    of its size at the least (the style validator keeps room for that
    beside "88/88"). A longer number ("120/120") that would push it smaller
    is left out: the watermark is the part that must stay legible."""
    size = metrics.size("footer")
    margin = footer_margin(metrics)
    top = page_height - (metrics.padding + metrics.footer_height) / 2 - size * 0.6
    right = page_width - margin
    numbered: list = []
    if number and metrics.slide_numbers:
        width = metrics.measure["number"](number)
        numbered.append(TextBox(right - width, top, width, Line(number, width), "number"))
    if not metrics.watermark:
        return numbered
    smallest = max(round(size * MIN_FOOTER_SHARE), 1)
    beside = right - sum(box.width + size for box in numbered)
    mark = watermark_box(page_width, margin, beside, top, metrics, smallest)
    if mark is None:
        return [watermark_box(page_width, margin, right, top, metrics, 1)]
    return [*numbered, mark]


def footer_margin(metrics: Metrics) -> float:
    """The footer lines up with the card's edges, but a wide padding does
    not squeeze it: it keeps at least 80 % of the page's width."""
    return max(min(metrics.padding, metrics.width * 0.1), metrics.size("footer"))


def watermark_box(
    page_width: float, margin: float, right: float, top: float, metrics: Metrics, smallest: int
) -> TextBox | None:
    """The watermark centred, else at the left margin, else shrunk to fit
    before `right`; None when that would take it under `smallest` pixels."""
    width = metrics.measure["footer"](WATERMARK)
    x = (page_width - width) / 2
    if x + width <= right:
        return TextBox(x, top, width, Line(WATERMARK, width), "footer")
    if margin + width <= right:
        return TextBox(margin, top, width, Line(WATERMARK, width), "footer")
    size = max(int(metrics.size("footer") * (right - margin) / width), 1)
    if size < smallest:
        return None
    width = metrics.measure_at("footer", size)(WATERMARK)
    return TextBox(margin, top, width, Line(WATERMARK, width), "footer", size=size)


def alt_text(thread: ThreadInfo, posts: Sequence[int]) -> str:
    text = "\n\n".join(
        "\n".join([thread.posts[index].text, *images_alt(thread.posts[index])]).strip() for index in posts
    )
    return with_author(thread, text)


def with_author(thread: ThreadInfo, text: str) -> str:
    author = author_label(thread)
    return f"{author}: {text}" if author else text


def images_alt(post: PostInfo) -> list[str]:
    """What the post's pictures show, in the words of whoever uploaded them."""
    return [f"Image: {image.alt.strip()}" for image in post.images if image.alt.strip()]
