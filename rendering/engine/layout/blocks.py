"""A post as blocks to place: its lines, the gaps between paragraphs and its
pictures' grid."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rendering.engine.layout.model import (
    INVISIBLE,
    ImageBox,
    ImageInfo,
    Metrics,
    PostInfo,
    ThreadInfo,
    Unrenderable,
)
from rendering.engine.text.breaking import Line, wrap

# --- Lines ----------------------------------------------------------------


# Control characters (but the line break and tab) and noncharacters: no font
# draws them, so each would be a missing-glyph box.
UNDRAWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def drawable(text: str) -> str:
    """`text` without the characters nothing can draw."""
    return UNDRAWABLE.sub("", text)


def is_blank(text: str) -> bool:
    """Nothing to see: only spaces, line breaks and invisible format
    characters (zero-width spaces, joiners, direction marks)."""
    return all(char.isspace() or unicodedata.category(char) in INVISIBLE for char in text)


def shown_posts(thread: ThreadInfo) -> list[int]:
    """The posts with something to draw (a stored post of only white space
    and no picture is skipped, not drawn as an empty card)."""
    shown = [index for index, post in enumerate(thread.posts) if post.images or not is_blank(post.text)]
    if not shown:
        raise Unrenderable("have no text or pictures to draw.", field="posts")
    return shown


def paragraphs(text: str) -> list[str]:
    """The post's paragraphs, split at blank lines (a line of only spaces
    counts as blank)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = "\n".join(line if line.strip(" ") else "" for line in text.split("\n"))
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
