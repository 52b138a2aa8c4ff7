"""Line breaking: where a paragraph may break and how it is cut into lines
of a given width. Pure: widths come only from the `measure` passed in.

The break opportunities are ICU's (UAX #14, with its dictionaries for Thai,
Lao, Khmer, Myanmar and CJK), tailored: a URL has none inside unless it is
wider than the line alone, and tokens like `C++`, `C#` or `->` have none.
A piece wider than the line is cut at the best place inside that fits."""

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice

import icu

from rendering.engine.text.bidi import Segment, code_points, is_rtl, line_segments, visual_segments
from rendering.engine.text.language import han_language

Measure = Callable[[str], float]

ROOT = icu.Locale.getRoot()
SENTENCES = icu.Locale("en@ss=standard")
URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
URL_BREAKS_AFTER = frozenset("/?&=-.")
# Symbols that make operators together (`->`, `=>`, `<=`, `&&`).
OPERATOR = frozenset("+-*/=<>!&|:~^%")
# Punctuation and symbols that repeat as one token (`++`, `...`, `!!`); not
# So: a row of emoji still breaks between them, as ICU has it.
REPEATING = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk"})
# Thai, Lao, New Tai Lue and Tai Viet vowels written before the consonant
# they are sounded after: UAX #29 makes them clusters of their own, yet they
# belong to the syllable that follows.
PREPOSED_VOWELS = frozenset(
    "\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4\u19b5\u19b6\u19b7\u19ba\uaab5\uaab6\uaab9\uaabb\uaabc"
)


@dataclass(frozen=True)
class Line:
    text: str
    width: float
    rtl: bool = False
    # The direction runs resolved in the whole paragraph (see `segments`).
    resolved: tuple[Segment, ...] | None = None
    # The paragraph's language for Han characters (None: judge the line).
    language: str | None = None

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The line's direction runs, left to right on screen: those of its
        paragraph when `wrap` made it, else the line's own."""
        return self.resolved if self.resolved is not None else visual_segments(self.text, self.rtl)


@dataclass(frozen=True)
class BreakPoints:
    """Code point offsets after which a line may end, ascending. `allowed`
    ends with the paragraph's end. Inside a piece wider than the line, the
    `fallbacks` are tried in turn: within URLs after `/ ? & = - .`, then
    ICU's own breaks within URLs (after `https://`, say)."""

    allowed: list[int]
    fallbacks: tuple[list[int], ...]


def wrap(text: str, width: float, measure: Measure, points: BreakPoints | None = None) -> list[Line]:
    """Break one paragraph (no "\\n") into lines no wider than `width`, bar
    a single grapheme cluster that is wider alone. Trailing spaces are
    dropped from each line and not counted. `points`: the text's break
    points when the caller has them (they do not depend on the width)."""
    rtl = is_rtl(text)
    spans = line_spans(text, width, measure, points)
    segments = line_segments(text, rtl, [(start, end) for start, end, _ in spans])
    language = han_language(text)
    return [
        Line(text[start:end], line_width, rtl, resolved, language)
        for (start, end, line_width), resolved in zip(spans, segments, strict=True)
    ]


def line_spans(
    text: str, width: float, measure: Measure, points: BreakPoints | None = None
) -> list[tuple[int, int, float]]:
    """Where `wrap` cuts `text`: each line's start, end (its trailing spaces
    left out) and width; what composing needs to count and cut lines,
    without resolving their direction."""
    points = points or break_points(text)
    spans: list[tuple[int, int, float]] = []
    start = 0
    while start < len(text):
        end, line_width = next_line(text, start, points, width, measure)
        spans.append((start, start + len(text[start:end].rstrip()), line_width))
        start = end
    return spans or [(0, 0, measure(""))]


def next_line(
    text: str, start: int, points: BreakPoints, width: float, measure: Measure
) -> tuple[int, float]:
    """Where the line from `start` ends (after its trailing spaces: the next
    line's start) and its width."""
    ends = fitting_ends(text, start, points.allowed, width, measure)
    while ends:
        line_width = measure(text[start : ends[-1]].rstrip())
        if line_width <= width:
            return ends[-1], line_width
        ends.pop()  # kerning across pieces made the line wider than their sum
    return cut(text, start, points, width, measure)


def fitting_ends(text: str, start: int, allowed: list[int], width: float, measure: Measure) -> list[int]:
    """The break points after `start` up to which the pieces between them,
    measured one by one, fit. Summing pieces (each a short string, measured
    once and cached across posts) rather than measuring every longer prefix
    keeps a line's cost linear in its length."""
    ends: list[int] = []
    used = 0.0
    for end in islice(allowed, bisect_right(allowed, start), None):
        piece = text[ends[-1] if ends else start : end]
        word = piece.rstrip()
        if used + measure(word) > width:
            break
        ends.append(end)
        used += measure(word) + (measure(piece[len(word) :]) if len(word) < len(piece) else 0.0)
    return ends


def cut(text: str, start: int, points: BreakPoints, width: float, measure: Measure) -> tuple[int, float]:
    """The piece from `start` is wider than the line: cut it at the last
    fallback point that fits, else after as many whole grapheme clusters as
    fit (at least one), outside tokens like `C++` if that fits."""
    end = points.allowed[bisect_right(points.allowed, start)]
    limit = start + len(text[start:end].rstrip())
    for candidates in points.fallbacks:
        inside = candidates[bisect_right(candidates, start) : bisect_left(candidates, limit)]
        if found := longest_fit(text, start, inside, width, measure):
            return found
    clusters = cluster_ends(text, start, limit)
    for candidates in ([point for point in clusters if not glued(text, point)], clusters):
        if found := longest_fit(text, start, candidates, width, measure):
            return found
    first = clusters[0] if clusters[0] < limit else end
    return first, measure(text[start:first].rstrip())


def longest_fit(
    text: str, start: int, candidates: Sequence[int], width: float, measure: Measure
) -> tuple[int, float] | None:
    """The last of `candidates` up to which the text from `start` fits, and
    its width (a binary search: wider text is never narrower)."""
    found = None
    low, high = 0, len(candidates) - 1
    while low <= high:
        middle = (low + high) // 2
        middle_width = measure(text[start : candidates[middle]].rstrip())
        if middle_width <= width:
            found = (candidates[middle], middle_width)
            low = middle + 1
        else:
            high = middle - 1
    return found


def cluster_ends(text: str, start: int, limit: int) -> list[int]:
    """The ends of the grapheme clusters (ICU's) between `start` and `limit`,
    but never right after a preposed vowel."""
    piece = text[start:limit]
    iterator = icu.BreakIterator.createCharacterInstance(ROOT)
    iterator.setText(piece)
    ends = [start + point for point in code_points(piece, list(iterator))]
    return [end for end in ends if end == limit or text[end - 1] not in PREPOSED_VOWELS]


def break_points(text: str) -> BreakPoints:
    """ICU's break opportunities, less those inside URLs and glued tokens."""
    found = icu_line_breaks(text)
    urls = [(match.start(), match.end(1), match.end()) for match in URL.finditer(text)]
    in_url = {offset for start, _, end in urls for offset in range(start + 1, end)}
    allowed = [offset for offset in found if offset not in in_url and not glued(text, offset)]
    url_fallback = [
        offset
        for _, prefix_end, end in urls
        for offset in range(prefix_end + 1, end)
        if text[offset - 1] in URL_BREAKS_AFTER and not glued(text, offset)
    ]
    return BreakPoints(allowed, (url_fallback, [offset for offset in found if offset in in_url]))


def icu_line_breaks(text: str) -> list[int]:
    """ICU's line break opportunities as code point offsets, the end included.
    A new iterator costs about 5 µs (ICU clones it from its cache) and one
    may not be shared between threads, so each call makes its own."""
    iterator = icu.BreakIterator.createLineInstance(ROOT)
    iterator.setText(text)
    return code_points(text, list(iterator))


def sentence_breaks(text: str) -> list[int]:
    """Where ICU (UAX #29) ends sentences in `text`, as code point offsets,
    the end included: "3.14" and "Mr. Jones" stay whole, 。！？ end one.
    The English list of abbreviations that end no sentence applies to every
    text: a wrong guess only keeps two sentences together."""
    iterator = icu.BreakIterator.createSentenceInstance(SENTENCES)
    iterator.setText(text)
    return code_points(text, list(iterator))


def glued(text: str, offset: int) -> bool:
    """No break between two identical punctuation marks or symbols (`++`,
    `...`, `!!`), between two operator symbols (`->`, `=>`), nor before the
    `+` or `#` that ends a name (`C#`, `i++`)."""
    if not 0 < offset < len(text):
        return False
    before, after = text[offset - 1], text[offset]
    if before == after:
        return unicodedata.category(before) in REPEATING
    return (before in OPERATOR and after in OPERATOR) or (before.isalnum() and after in "+#")
