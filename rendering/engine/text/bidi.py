"""Visual order of a line of mixed-direction text (pure, no drawing).

A compact form of the Unicode Bidirectional Algorithm for one line without
explicit embeddings: strong characters take their direction, numbers follow
the paragraph's right-to-left context as left-to-right islands, neutrals
between two strong runs of one direction join them and otherwise take the
paragraph's direction (rules W/N/I of UAX #9, simplified); then rule L2
reverses runs from the highest level down. Each returned segment is drawn
whole in its own direction by the shaper."""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

RTL_CLASSES = {"R", "AL"}
NUMBER_CLASSES = {"EN", "AN"}


@dataclass(frozen=True)
class Segment:
    text: str
    rtl: bool


def levels(text: str, rtl: bool) -> list[int]:
    base = 1 if rtl else 0
    kinds = [unicodedata.bidirectional(char) for char in text]
    strong: list[int | None] = []
    for kind in kinds:
        if kind in RTL_CLASSES:
            strong.append(1)
        elif kind == "L" or (kind in NUMBER_CLASSES and rtl):
            strong.append(base + 1 if rtl else 0)
        elif kind in NUMBER_CLASSES:
            strong.append(0)
        else:
            strong.append(None)
    return [
        level if level is not None else neutral_level(strong, index, base)
        for index, level in enumerate(strong)
    ]


def neutral_level(strong: list[int | None], index: int, base: int) -> int:
    before = next((level for level in reversed(strong[:index]) if level is not None), base)
    after = next((level for level in strong[index + 1 :] if level is not None), base)
    return before if before == after else base


def is_rtl(text: str) -> bool:
    """A paragraph's direction: that of its first strong character."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


@lru_cache(maxsize=4096)
def visual_segments(text: str, rtl: bool) -> tuple[Segment, ...]:
    """The line cut where its level changes, in left-to-right screen order."""
    if not text:
        return ()
    line_levels = levels(text, rtl)
    runs: list[tuple[str, int]] = []
    for char, level in zip(text, line_levels, strict=True):
        if runs and runs[-1][1] == level:
            runs[-1] = (runs[-1][0] + char, level)
        else:
            runs.append((char, level))
    for level in range(max(line_levels), 0, -1):
        runs = reverse_at_or_above(runs, level)
    return tuple(Segment(chunk, level % 2 == 1) for chunk, level in runs)


def reverse_at_or_above(runs: list[tuple[str, int]], level: int) -> list[tuple[str, int]]:
    result: list[tuple[str, int]] = []
    stretch: list[tuple[str, int]] = []
    for run in runs:
        if run[1] >= level:
            stretch.append(run)
            continue
        result.extend(reversed(stretch))
        stretch = []
        result.append(run)
    return result + list(reversed(stretch))
