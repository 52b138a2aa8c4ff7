"""Cards and the thread image: one card whose height fits its content."""

from collections.abc import Sequence

from rendering.engine.layout.blocks import is_blank, post_blocks
from rendering.engine.layout.model import Metrics, Page, RuleBox, ThreadInfo, Unrenderable
from rendering.engine.layout.pieces import alt_text, footer, header, place_blocks
from rendering.engine.layout.room import check_room

# --- Kinds ------------------------------------------------------------------


def fitted_page(thread: ThreadInfo, posts: Sequence[int], metrics: Metrics, rules: bool) -> Page:
    """One card whose height fits its content: a `cards` image (one post)
    or the `thread` image (all posts, separated by rules)."""
    pad, inner = metrics.padding, metrics.card_padding
    x, column = pad + inner, metrics.column
    boxes, used = header(thread, x, pad + inner, column, metrics)
    y = pad + inner + used + metrics.gap
    for order, index in enumerate(posts):
        if order and rules:
            boxes.append(RuleBox(x, y + metrics.gap, column))
            y += metrics.gap * 2
        blocks = post_blocks(thread.posts[index], index, column, metrics)
        boxes += place_blocks(blocks, thread.posts, x, y, column, metrics)
        y += sum(block.height for block in blocks)
        check_height(y, metrics)
    card_height = y + inner - pad
    height = round(y + inner + pad + metrics.footer_height)
    boxes += footer(metrics.width, height, metrics)
    return Page(
        metrics.width,
        height,
        (pad, pad, metrics.width - 2 * pad, card_height),
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


def shown_posts(thread: ThreadInfo) -> list[int]:
    """The posts with something to draw (a stored post of only white space
    and no picture is skipped, not drawn as an empty card)."""
    shown = [index for index, post in enumerate(thread.posts) if post.images or not is_blank(post.text)]
    if not shown:
        raise Unrenderable("have no text or pictures to draw.", field="posts")
    return shown


def lay_out_cards(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    check_room(metrics)
    return [fitted_page(thread, [index], metrics, rules=False) for index in shown_posts(thread)]


def lay_out_thread(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    check_room(metrics)
    return [fitted_page(thread, shown_posts(thread), metrics, rules=True)]
