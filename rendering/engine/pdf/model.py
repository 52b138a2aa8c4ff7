"""What a carousel PDF is made of, in the slide's pixels."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PdfLine:
    """One laid-out line: its left edge, its baseline and drawn width, its
    pixel size, and its text in logical order (as typed)."""

    x: float
    baseline: float
    width: float
    size: float
    text: str


@dataclass(frozen=True)
class PdfPage:
    """A slide: its PNG, its size in pixels, the lines its words are drawn
    on (chrome such as the slide number left out) and its alt text."""

    png: bytes
    width: int
    height: int
    lines: tuple[PdfLine, ...] = ()
    alt: str = ""
