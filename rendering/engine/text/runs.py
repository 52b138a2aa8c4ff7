"""Text before layout: grapheme clusters sorted into runs by the font that
draws them.

For each cluster, `split_runs` takes the first of these that has all its
characters: the run's current font for spaces, punctuation, digits and
combining marks (they stay with the text around them); the style's family;
the current font, except for symbols; the first fallback font by priority
(see `fonts`). A
combining mark no font has together with its base (Zalgo text) is drawn
from a font that has the mark, or dropped: never a missing-glyph box.

Colour emoji follow the Unicode emoji data (UTS #51): a cluster is drawn in
colour when its first character has Emoji_Presentation, or it has VS16 after
an emoji, a ZWJ sequence, a keycap, a flag pair or a skin tone; VS15 always
asks for the text glyph.

Han characters are drawn in the text's language (see `language`).

`Measurer` measures a string as the painter will draw it, which is what
layout is given."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import icu
import unicode_segmentation_rs as segmentation

from rendering.engine.text import fonts
from rendering.engine.text.bidi import is_rtl, visual_segments
from rendering.engine.text.fonts import Face
from rendering.engine.text.language import han_language
from rendering.engine.text.shaping import shape

EMOJI_ADVANCE = 1.2  # em; square glyph plus the usual side bearing
TEXT_STYLE, EMOJI_STYLE, ZWJ, KEYCAP = "\ufe0e", "\ufe0f", "\u200d", "\u20e3"
# Characters the shaper hides when a font lacks them: not needed for coverage.
IGNORABLE = re.compile(
    "[\u034f\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\U000e0000-\U000e0fff]"
)
# Clusters that stay with the run they are in: spaces, punctuation, digits, marks.
NEUTRAL_CATEGORIES = {"Zs", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Nd", "Mn", "Mc", "Me"}
BIDI_STRONG_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


@dataclass(frozen=True)
class Run:
    text: str
    face: Face | None  # None: colour emoji


# --- Colour emoji -----------------------------------------------------------------


def has(char: str, prop: int) -> bool:
    return bool(icu.Char.hasBinaryProperty(char, prop))


def is_colour_emoji(cluster: str) -> bool:
    """Whether the cluster asks for emoji presentation (UTS #51)."""
    first = cluster[0]
    if TEXT_STYLE in cluster:
        return False
    if KEYCAP in cluster or (len(cluster) > 1 and has(first, icu.UProperty.REGIONAL_INDICATOR)):
        return True
    if EMOJI_STYLE in cluster and has(first, icu.UProperty.EMOJI):
        return True
    if ZWJ in cluster and has(first, icu.UProperty.EXTENDED_PICTOGRAPHIC):
        return True
    if has(first, icu.UProperty.EMOJI_MODIFIER_BASE) and any(
        has(char, icu.UProperty.EMOJI_MODIFIER) for char in cluster[1:]
    ):
        return True
    return has(first, icu.UProperty.EMOJI_PRESENTATION)


def drawn_as_emoji(cluster: str) -> bool:
    return is_colour_emoji(cluster) and ord(cluster[0]) in fonts.coverage(fonts.emoji_face())


# --- Fonts per cluster ------------------------------------------------------------


def needed(text: str) -> tuple[int, ...]:
    """The code points a font must have to draw `text`."""
    return tuple(ord(char) for char in IGNORABLE.sub("", text))


def is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


@dataclass(frozen=True)
class Choice:
    """What a line asks of its fonts: family, weight and CJK language."""

    style: Face
    bold: bool
    language: str

    def face(self, points: tuple[int, ...], current: Face | None, category: str) -> Face | None:
        """The font for a cluster's code points (`category`: its first
        character's), if one has them all."""
        stays = current is not None and fonts.coverage(current).covers(points)
        if stays and category in NEUTRAL_CATEGORIES:
            return current
        if fonts.coverage(self.style).covers(points):
            return self.style
        # A symbol goes by priority: ∑ → after Han from the math font, not CJK's.
        if stays and category[0] != "S":
            return current
        return fonts.first_covering(points, self.bold, self.language)

    def place(self, cluster: str, current: Face | None) -> list[tuple[str, Face | None]]:
        """The cluster as (text, font) pieces, usually one; None: colour emoji."""
        if drawn_as_emoji(cluster):
            return [(cluster, None)]
        points = needed(cluster) or (ord(cluster[0]),)
        face = self.face(points, current, unicodedata.category(cluster[0]))
        if face is not None:
            return [(cluster, face)]
        return self.place_marks_apart(cluster, current)

    def place_marks_apart(self, cluster: str, current: Face | None) -> list[tuple[str, Face | None]]:
        """No font has the base with all its marks: the base in the first font
        that has it, each mark it lacks from a font that has that mark, or
        left out."""
        base = "".join(char for char in cluster if not is_mark(char))
        face = self.face(needed(base) or (ord(cluster[0]),), current, "Lo") or self.style
        kept, apart = base, list[tuple[str, Face | None]]()
        for mark in (char for char in cluster if is_mark(char)):
            if ord(mark) in fonts.coverage(face):
                kept += mark
            elif (other := self.face((ord(mark),), None, "Mn")) is not None:
                apart.append((mark, other))
        return [(kept, face), *apart] if kept else apart


@lru_cache(maxsize=16384)
def placed(choice: Choice, cluster: str, current: Face | None) -> list[tuple[str, Face | None]]:
    """`Choice.place`, remembered: text repeats its clusters."""
    return choice.place(cluster, current)


def grapheme_clusters(text: str) -> list[str]:
    return segmentation.graphemes(text, True)


@lru_cache(maxsize=4096)
def split_runs(text: str, family: str, weight: int = 400, lang: str | None = None) -> tuple[Run, ...]:
    """`text` cut where its font changes. `lang` is the CJK language (found
    from `text` when not given: a painter passes the whole line's)."""
    style = fonts.style_face(family)
    if text and max(text) < "\u2000" and set(text) <= fonts.family_characters(family):
        return (Run(text, style),)  # the common case: no emoji, nothing to fall back for
    choice = Choice(style, weight >= fonts.BOLD_FROM, lang or han_language(text))
    runs: list[Run] = []
    for cluster in grapheme_clusters(text):
        current = runs[-1].face if runs else None
        for piece, face in placed(choice, cluster, current):
            if runs and face is not None and runs[-1].face == face:
                runs[-1] = Run(runs[-1].text + piece, face)
            else:
                runs.append(Run(piece, face))
    return tuple(runs)


# --- Widths -------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurer:
    """Widths of strings in one family, size and weight, as drawn."""

    family: str
    size: int
    weight: int = 400

    def run_width(self, run: Run, direction: str | None = None) -> float:
        if run.face is None:
            return len(grapheme_clusters(run.text)) * self.size * EMOJI_ADVANCE
        return shape(run.text, run.face, self.size, self.weight, direction).width

    def __call__(self, text: str) -> float:
        return measure(text, self.family, self.size, self.weight)


def line_segments(text: str) -> tuple[tuple[str, str], ...]:
    """The pieces a painter shapes `text` in, with their direction: the
    whole text when nothing in it is right-to-left."""
    if not BIDI_STRONG_RTL.search(text):
        return ((text, "ltr"),)
    return tuple(
        (segment.text, "rtl" if segment.rtl else "ltr") for segment in visual_segments(text, is_rtl(text))
    )


@lru_cache(maxsize=16384)  # a width is about 300 bytes with its key: 5 MB at most
def measure(text: str, family: str, size: int, weight: int) -> float:
    """The width `paint.draw_text` gives `text` as a line: the same
    direction segments, font runs and CJK language."""
    measurer = Measurer(family, size, weight)
    language = han_language(text)
    return sum(
        measurer.run_width(run, direction)
        for piece, direction in line_segments(text)
        for run in split_runs(piece, family, weight, language)
    )
