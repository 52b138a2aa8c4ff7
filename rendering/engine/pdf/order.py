"""Where the text layer puts each character of a line, so that text
extraction gives the line back in logical order (as it was typed).

A PDF holds no reading order for text: extractors sort the glyphs of a line
by position and undo right-to-left runs themselves. Poppler (`pdftotext`,
Evince, Okular and most Linux tools) does it with a simplified algorithm,
not Unicode's (`TextOutputDev.cc`, `reorderText`):

- a page reads right to left when it has more right-to-left letters than
  left-to-right ones (one direction for the whole page, not per line);
- each character is a left-to-right letter (L), a right-to-left letter (R),
  a number or number separator (#: digits, `+ - , . / : % $ ₪`…) or
  neutral (spaces, brackets, quotes, emoji, marks, everything beyond the
  BMP): its table is Unicode's bidi classes of an older version;
- on a left-to-right page each run from an R up to the next L or # is
  reversed; on a right-to-left page the whole line is reversed, then each
  run from an L or # up to the next R reversed back.

The layer lays characters out by the inverse (`placement`), which is
close to the visual order other extractors expect. Poppler cannot return a
neutral that sits, in logical order, after an R and before an L, a # or
the line's end on a left-to-right page (after an L or # and before an R
or the end on a right-to-left page): it always lands in the other run. An
invisible left-to-right mark (LRM, an L) or right-to-left mark (RLM, an R)
after the letter gives it the run it belongs to. What poppler prints also
has the embedding controls U+202A…U+202C around the runs it reversed.

The characters are written word after word in reading order, each word's
as laid out, so that `pdftotext -raw` (content order, one word's runs
undone at a time) has the words in reading order too, though it starts a
new line where the next word is to the left."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

LRM, RLM = "\u200e", "\u200f"
LEFT, RIGHT, NUMBER, NEUTRAL = "L", "R", "#", " "
STRONG_LEFT = frozenset({"L", "LRE", "LRO"})
STRONG_RIGHT = frozenset({"R", "AL", "RLE", "RLO"})
NUMERIC = frozenset({"EN", "ES", "ET", "CS", "AN"})
# Patterns over a line's classes (`kind` per character): where a mark goes
# and the runs poppler reverses, per page direction.
NEEDS_LRM = re.compile(r"R(?= +(?:[L#]|$))")
NEEDS_RLM = re.compile(r"[L#](?= +(?:R|$))")
REVERSED_ON_LTR_PAGE = re.compile(r"R[^L#]*")
KEPT_ON_RTL_PAGE = re.compile(r"[L#][^R]*")


@dataclass(frozen=True)
class Placement:
    """A line's characters left to right (`chars`, marks included) and
    the ranges of them written one after the other (`runs`: start, stop)."""

    chars: str
    runs: tuple[tuple[int, int], ...]


@lru_cache(maxsize=8192)
def kind(char: str) -> str:
    """Poppler's class of `char`. Whitespace is dropped by poppler and
    becomes the gap it reads as a space."""
    if ord(char) > 0xFFFF or char.isspace():
        return NEUTRAL
    bidi = unicodedata.bidirectional(char)
    if bidi in STRONG_LEFT:
        return LEFT
    if bidi in STRONG_RIGHT:
        return RIGHT
    return NUMBER if bidi in NUMERIC else NEUTRAL


def kinds(text: str) -> str:
    return "".join(map(kind, text))


def reads_left_to_right(texts: list[str]) -> bool:
    """Poppler's direction for a page holding `texts`: left to right unless
    right-to-left letters outnumber left-to-right ones. The marks
    `placement` adds only strengthen the direction they are added for, so
    judging the texts without them is enough."""
    classes = kinds("".join(texts))
    return classes.count(LEFT) >= classes.count(RIGHT)


def placement(text: str, left_to_right: bool) -> Placement:
    """Where `text`'s characters go on a page poppler reads in that
    direction, and the order they are written in."""
    marked = with_marks(text, left_to_right)
    slots = laid_out(marked, left_to_right)
    return Placement("".join(marked[index] for index in slots), written_runs(marked, slots))


def with_marks(text: str, left_to_right: bool) -> str:
    """`text` with a mark after each letter whose following neutrals
    poppler would otherwise misplace."""
    needs, mark = (NEEDS_LRM, LRM) if left_to_right else (NEEDS_RLM, RLM)
    ends = [found.end() for found in needs.finditer(kinds(text))]
    pieces = [text[start:end] for start, end in zip([0, *ends], [*ends, len(text)], strict=True)]
    return mark.join(pieces)


def laid_out(text: str, left_to_right: bool) -> list[int]:
    """The indices of `text`'s characters from left to right: on a
    left-to-right page the runs poppler reverses are reversed; on a
    right-to-left page the runs it keeps are reversed, then the whole."""
    slots = list(range(len(text)))
    runs = REVERSED_ON_LTR_PAGE if left_to_right else KEPT_ON_RTL_PAGE
    for found in runs.finditer(kinds(text)):
        slots[found.start() : found.end()] = slots[found.start() : found.end()][::-1]
    return slots if left_to_right else slots[::-1]


def written_runs(text: str, slots: list[int]) -> tuple[tuple[int, int], ...]:
    """Ranges of positions to write one after the other: the words of
    `text` in reading order (a space goes with the word before it), each
    word's positions left to right; neighbouring ranges joined."""
    words = word_numbers(text)
    order = sorted(range(len(slots)), key=lambda position: (words[slots[position]], position))
    runs: list[tuple[int, int]] = []
    for position in order:
        if runs and runs[-1][1] == position:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
    return tuple(runs)


def word_numbers(text: str) -> list[int]:
    """For each character, the number of the word it is in, counted from
    0; spaces count with the word before them."""
    numbers, count, in_space = [], -1, True
    for char in text:
        if not char.isspace() and in_space:
            count += 1
        in_space = char.isspace()
        numbers.append(count)
    return numbers
