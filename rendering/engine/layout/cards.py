"""Cards and the thread image: one card whose height fits its content
(framed cards are laid out by `frames`)."""

from collections.abc import Sequence

from rendering.engine.layout.blocks import post_blocks, shown_posts
from rendering.engine.layout.frames import lay_out_frames
from rendering.engine.layout.model import (
    Metrics,
    Page,
    RuleBox,
    ThreadInfo,
    Unrenderable,
    logo_band,
    logo_boxes,
    logo_on_top,
)
from rendering.engine.layout.pieces import alt_text, footer, header, place_blocks, under_header
from rendering.engine.layout.room import check_room

# --- Kinds ------------------------------------------------------------------


def fitted_page(thread: ThreadInfo, posts: Sequence[int], metrics: Metrics, rules: bool) -> Page:
    """One card whose height fits its content: a `cards` image (one post)
    or the `thread` image (all posts, separated by rules)."""
    pad, inner = metrics.padding, metrics.card_padding
    x, column = pad + inner, metrics.column
    band = logo_band(metrics)
    top = pad + inner + (band if logo_on_top(metrics) else 0)
    boxes, used = header(thread, x, top, column, metrics)
    y = top + under_header(used, metrics)
    for order, index in enumerate(posts):
        if order and rules:
            boxes.append(RuleBox(x, y + metrics.gap, column))
            y += metrics.gap * 2
        blocks = post_blocks(thread.posts[index], index, column, metrics)
        boxes += place_blocks(blocks, thread.posts, x, y, column, metrics)
        y += sum(block.height for block in blocks)
        check_height(y, metrics)
    if not logo_on_top(metrics):
        y += band
    card = (pad, pad, metrics.width - 2 * pad, y + inner - pad)
    height = round(y + inner + pad + metrics.footer_height)
    boxes += footer(metrics.width, height, metrics) + logo_boxes(metrics, card)
    return Page(
        metrics.width,
        height,
        card,
        tuple(boxes),
        alt_text(thread, posts),
        tuple(thread.position(index) for index in posts),
    )


def check_height(y: float, metrics: Metrics) -> None:
    if metrics.max_pixels is None or y * metrics.width <= metrics.max_pixels:
        return
    raise Unrenderable(
        f"makes a page taller than {metrics.max_pixels // metrics.width} px at {metrics.width} px wide, "
        f"over the limit of {metrics.max_pixels / 1e6:g} megapixels: choose a smaller scale, "
        "or a carousel for long posts.",
        field="scale",
    )


def lay_out_cards(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    """A card per post: its height fitted to the post, or, in a fixed frame
    (`metrics.height`), one or more frames per post (`frames`)."""
    check_room(metrics)
    if metrics.height is not None:
        return lay_out_frames(thread, metrics)
    return [fitted_page(thread, [index], metrics, rules=False) for index in shown_posts(thread)]


def lay_out_thread(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    check_room(metrics)
    return [fitted_page(thread, shown_posts(thread), metrics, rules=True)]
