"""Text fitted to a box: names and handles cut with an ellipsis, titles
shrunk within a legible range and then cut. Pure: widths come from the
measures passed in."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import unicode_segmentation_rs as segmentation

from rendering.engine.text.breaking import Line, Measure, wrap

ELLIPSIS = "\u2026"
# An ellipsis goes after the last whole word if that keeps this share of the text.
WHOLE_WORD_SHARE = 0.4


def ellipsize(text: str, width: float, measure: Measure) -> str:
    """`text` if it fits in `width`, else its longest head of whole
    graphemes followed by an ellipsis that does ("" when not even the
    ellipsis fits). The head is in reading order, so an RTL name loses its
    end too."""
    if measure(text) <= width:
        return text
    graphemes = segmentation.graphemes(text, True)
    low, high = 0, len(graphemes)
    while low < high:
        middle = (low + high + 1) // 2
        if measure("".join(graphemes[:middle]).rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return ELLIPSIS if measure(ELLIPSIS) <= width else ""
    return "".join(graphemes[: word_end(graphemes, low)]).rstrip() + ELLIPSIS


def word_end(graphemes: list[str], fits: int) -> int:
    """Where to cut a head of `fits` graphemes: after its last whole word
    when that keeps most of it ("building…", not "building resilie…"),
    else where it fits (names with no spaces, Thai, CJK)."""
    space = max((at for at in range(fits) if graphemes[at].isspace()), default=0)
    return space if space >= fits * WHOLE_WORD_SHARE else fits


@dataclass(frozen=True)
class FittedText:
    lines: tuple[Line, ...]
    size: int
    line_height: float


def fit_block(
    text: str,
    *,
    width: float,
    height: float,
    sizes: Sequence[int],
    measure_at: Callable[[int], Measure],
    leading: float,
) -> FittedText:
    """`text` wrapped at the first of `sizes` (largest first) whose lines fit
    in `height`; at the last size the lines that fit are kept and the last
    kept one ends with an ellipsis. No line at all when not one fits."""
    size = sizes[-1]
    for size in sizes:
        measure = measure_at(size)
        lines = wrap(text, width, measure)
        if len(lines) * size * leading <= height:
            return FittedText(tuple(lines), size, size * leading)
    room = int(height // (size * leading))
    if room <= 0:
        return FittedText((), size, size * leading)
    kept = lines[:room]
    rest = " ".join(line.text for line in lines[room - 1 :])
    last = ellipsize(rest, width, measure)
    kept[-1] = Line(last, measure(last), kept[-1].rtl)
    return FittedText(tuple(kept), size, size * leading)
