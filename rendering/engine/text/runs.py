"""Text before layout: graphemes sorted into runs by the font that has them.

`split_runs` gives each stretch of text the first font in the chain that has
all its characters (colour emoji go to the emoji font); `Measurer` measures
a string as the painter will draw it, which is what layout is given."""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import unicode_segmentation_rs as segmentation

from rendering.engine.text.fonts import Face, coverage, emoji_face, font_chain
from rendering.engine.text.shaping import shape

IGNORABLE = {"Mn", "Me", "Cf"}
EMOJI_ADVANCE = 1.2  # em; square glyph plus the usual side bearing
VARIATION_EMOJI = "\ufe0f"


@dataclass(frozen=True)
class Run:
    text: str
    face: Face | None  # None: colour emoji


def is_emoji(grapheme: str) -> bool:
    first = ord(grapheme[0])
    if 0x1F000 <= first <= 0x1FAFF or "\u20e3" in grapheme:
        return True
    if VARIATION_EMOJI in grapheme or "\u200d" in grapheme:
        return 0x2000 <= first <= 0x2BFF or 0x3000 <= first <= 0x303F
    return 0x2600 <= first <= 0x27BF and unicodedata.category(grapheme[0]) == "So"


def face_for(grapheme: str, chain: tuple[Face, ...], current: Face | None) -> Face:
    needed = [ord(c) for c in grapheme if unicodedata.category(c) not in IGNORABLE] or [ord(grapheme[0])]
    joins_run = unicodedata.category(grapheme[0])[0] in "ZP"
    if joins_run and current is not None and all(point in coverage(current) for point in needed):
        return current  # spaces and punctuation stay with the run they are in
    for face in chain:
        if all(point in coverage(face) for point in needed):
            return face
    return next((face for face in chain if needed[0] in coverage(face)), chain[0])


@lru_cache(maxsize=4096)
def split_runs(text: str, family: str) -> tuple[Run, ...]:
    chain = font_chain(family)
    if (
        text
        and all(ord(char) < 0x2000 for char in text)
        and all(ord(char) in coverage(chain[0]) for char in text)
    ):
        return (Run(text, chain[0]),)  # the common case: no emoji, nothing to fall back for
    emoji = emoji_face()
    emoji_points = coverage(emoji) if emoji is not None else frozenset()
    runs: list[Run] = []
    current: Face | None = None
    buffer = ""
    for grapheme in segmentation.graphemes(text, True):
        colour = is_emoji(grapheme) and ord(grapheme[0]) in emoji_points
        face = None if colour else face_for(grapheme, chain, current)
        if buffer and (face != current or face is None):
            runs.append(Run(buffer, current))
            buffer = ""
        current = face
        buffer += grapheme
    if buffer:
        runs.append(Run(buffer, current))
    return tuple(runs)


@dataclass(frozen=True)
class Measurer:
    """Widths of strings in one family, size and weight, as drawn."""

    family: str
    size: int
    weight: int = 400

    def run_width(self, run: Run) -> float:
        if run.face is None:
            return len(segmentation.graphemes(run.text, True)) * self.size * EMOJI_ADVANCE
        return shape(run.text, run.face, self.size, self.weight).width

    def __call__(self, text: str) -> float:
        return measure(text, self.family, self.size, self.weight)


@lru_cache(maxsize=65536)
def measure(text: str, family: str, size: int, weight: int) -> float:
    measurer = Measurer(family, size, weight)
    return sum(measurer.run_width(run) for run in split_runs(text, family))
