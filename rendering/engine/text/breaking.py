"""Line breaking: where a paragraph may break (UAX #14) and how it is cut
into lines of a given width. Pure: widths come from the `measure` passed in."""

from collections.abc import Callable
from dataclasses import dataclass

import unicode_segmentation_rs as segmentation

from rendering.engine.text.bidi import is_rtl

Measure = Callable[[str], float]


@dataclass(frozen=True)
class Line:
    text: str
    width: float
    rtl: bool = False


def wrap(text: str, width: float, measure: Measure) -> list[Line]:
    """Break one paragraph into lines at the places Unicode allows (UAX #14):
    between words, between CJK characters, never before closing
    punctuation. A piece wider than the line (a long URL) is cut between
    graphemes."""
    rtl = is_rtl(text)
    lines: list[Line] = []
    current = ""
    for unit in segmentation.line_break_units(text):
        candidate = current + unit
        if measure(candidate.rstrip()) <= width or not current.strip():
            current = candidate
        else:
            lines.append(Line(current.rstrip(), measure(current.rstrip()), rtl))
            current = unit
        while measure(current.rstrip()) > width:
            head, current = split_long(current, width, measure)
            lines.append(Line(head, measure(head), rtl))
    if current.strip() or not lines:
        lines.append(Line(current.rstrip(), measure(current.rstrip()), rtl))
    return lines


def split_long(text: str, width: float, measure: Measure) -> tuple[str, str]:
    """The longest head of `text` (whole graphemes, at least one) that fits."""
    graphemes = segmentation.graphemes(text, True)
    low, high = 1, len(graphemes)
    while low < high:
        middle = (low + high + 1) // 2
        if measure("".join(graphemes[:middle])) <= width:
            low = middle
        else:
            high = middle - 1
    return "".join(graphemes[:low]), "".join(graphemes[low:])
