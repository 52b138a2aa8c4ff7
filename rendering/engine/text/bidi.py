"""Visual order of mixed-direction text (pure, no drawing), by ICU's
implementation of the Unicode Bidirectional Algorithm (UAX #9): explicit
embeddings, overrides and isolates, the weak and neutral rules with bracket
pairs (N0), then per line L1 (trailing whitespace at the paragraph's level)
and L2 (runs reversed from the highest level down).

A segment is one level run, returned in left-to-right screen order and
drawn whole by the shaper in its own direction. That direction is the run's
level parity, so an override draws as the UBA says: letters under RLO…PDF
sit at an odd level and HarfBuzz lays them out right to left, Hebrew under
LRO…PDF at an even level is laid out left to right. Brackets in an RTL
segment are mirrored by HarfBuzz, so the text keeps them as written. The
explicit formatting characters are removed from the segments once their
effect is resolved: they must be neither drawn nor measured.

ICU counts positions in UTF-16 code units, where an astral character (most
emoji) takes two; `utf16_offsets` and `code_points` map them to and from
Python's code point indices."""

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import icu

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM ALM. Regular expressions
# rather than `str.translate`, which takes ~25 µs on a line of Thai.
CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Paragraph separators left in a paragraph (layout splits on "\n" first)
# would start a new ICU paragraph, which a line may not cross: we count them
# as spaces. All are one UTF-16 unit, so offsets hold.
SEPARATORS = re.compile("[\n\r\x1c-\x1e\x85\u2029]")
ASTRAL = re.compile("[\U00010000-\U0010ffff]")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


@dataclass(frozen=True)
class Segment:
    text: str
    rtl: bool


def utf16_offsets(text: str) -> Sequence[int]:
    """The UTF-16 offset of each code point index of `text`, and of its end."""
    if not ASTRAL.search(text):
        return range(len(text) + 1)
    return list(accumulate((2 if ord(char) > 0xFFFF else 1 for char in text), initial=0))


def code_points(text: str, units: Sequence[int]) -> list[int]:
    """The code point indices of UTF-16 offsets into `text`."""
    if not ASTRAL.search(text):
        return list(units)
    offsets = utf16_offsets(text)
    return [bisect_left(offsets, unit) for unit in units]


def resolved(text: str, level: int) -> icu.Bidi:
    """`text` resolved as one paragraph at `level` (0, 1, or
    `icu.Bidi.DEFAULT_LTR` to take it from the text). A new `Bidi` costs
    about 0.1 µs, cheaper than sharing one between threads safely."""
    bidi = icu.Bidi()
    bidi.setPara(icu.UnicodeString(SEPARATORS.sub(" ", text)), level)
    return bidi


def is_rtl(text: str) -> bool:
    """A paragraph's direction by rules P2–P3: that of its first strong
    character, skipping the contents of isolates; left to right if none."""
    return resolved(text, icu.Bidi.DEFAULT_LTR).getParaLevel() % 2 == 1


def isolate(text: str) -> str:
    """`text` as a first-strong isolate (FSI…PDI): whatever surrounds it, it
    is ordered as a unit and by its own first letter. An `@handle` in an RTL
    header keeps `@` on its left, and `@ليلى` keeps `@` at its start in
    Arabic reading order, on its right."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


@lru_cache(maxsize=4096)
def visual_segments(text: str, rtl: bool) -> tuple[Segment, ...]:
    """One line resolved on its own as a paragraph of the given direction,
    its level runs in left-to-right screen order."""
    if not text:
        return ()
    return runs(resolved(text, 1 if rtl else 0), text)


def line_segments(text: str, rtl: bool, lines: Sequence[tuple[int, int]]) -> list[tuple[Segment, ...]]:
    """The visual segments of each line (code point `start`, `end`) of one
    wrapped paragraph. Levels are resolved on the whole paragraph, so an
    embedding or isolate spanning lines keeps its effect and a neutral at a
    line's edge sees its neighbours; each line is then reordered alone."""
    if not text:
        return [() for _ in lines]
    paragraph = resolved(text, 1 if rtl else 0)
    offsets = utf16_offsets(text)
    return [
        runs(paragraph.setLine(offsets[start], offsets[end]), text[start:end]) if start < end else ()
        for start, end in lines
    ]


def runs(bidi: icu.Bidi, text: str) -> tuple[Segment, ...]:
    """The level runs of a resolved paragraph or line holding `text`, left
    to right on screen, without the formatting characters."""
    visual = [bidi.getVisualRun(index) for index in range(bidi.countRuns())]
    bounds = code_points(text, [unit for start, length, _ in visual for unit in (start, start + length)])
    segments: list[Segment] = []
    for (_, _, direction), start, end in zip(visual, bounds[::2], bounds[1::2], strict=True):
        if chunk := CONTROLS.sub("", text[start:end]):
            segments.append(Segment(chunk, direction == icu.UBiDiDirection.RTL))
    return tuple(segments)
