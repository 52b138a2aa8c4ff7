"""Which language Han characters are drawn in. They look different in
Japanese, Korean and Chinese, and CJK punctuation sits differently too, so
the CJK face and the shaper's language follow the text: kana → Japanese;
Hangul → Korean; a character that only Traditional Chinese writes (ICU's
Hant-Hans transliteration changes it) → Traditional Chinese; otherwise
Simplified Chinese, the default. A wrapped paragraph is judged whole, so
all its lines are drawn alike.

`document_language` guesses a whole document's language (a PDF's /Lang)
from the script most of its letters are written in."""

import re
import threading
from functools import lru_cache

import icu

KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d\U0001b000-\U0001b16f]")
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff]")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
DEFAULT_HAN = "zh-Hans"

TO_SIMPLIFIED_LOCK = threading.Lock()  # one ICU transliterator, shared by threads


@lru_cache(maxsize=1)
def to_simplified() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Hant-Hans")


@lru_cache(maxsize=4096)
def han_language(text: str) -> str:
    """The CJK face's language for `text` (the rule is in the module's docstring)."""
    if KANA.search(text):
        return "ja"
    if HANGUL.search(text):
        return "ko"
    han = "".join(HAN.findall(text))
    if not han:
        return DEFAULT_HAN
    with TO_SIMPLIFIED_LOCK:
        simplified = to_simplified().transliterate(han)
    return "zh-Hant" if simplified != han else DEFAULT_HAN


# The letters of each script a document's language is told from, with the
# language most written in it. Han, kana and Hangul count together and are
# told apart by `han_language`.
LATIN = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")
SCRIPT_LANGUAGES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (tag, re.compile(f"[{letters}]+"))
    for tag, letters in (
        ("he", "\u05d0-\u05ea\u05ef-\u05f2\ufb1d-\ufb4f"),
        ("ar", "\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdff\ufe70-\ufefc"),
        ("ru", "\u0400-\u0481\u048a-\u052f\u1c80-\u1c88\ua640-\ua66e"),
        ("el", "\u0370-\u0373\u0376-\u03ff\u1f00-\u1ffc"),
        ("hy", "\u0531-\u0556\u0561-\u0587"),
        ("ka", "\u10a0-\u10ff\u1c90-\u1cbf\u2d00-\u2d2f"),
        ("hi", "\u0900-\u097f\ua8e0-\ua8ff"),
        ("bn", "\u0980-\u09ff"),
        ("pa", "\u0a00-\u0a7f"),
        ("gu", "\u0a80-\u0aff"),
        ("or", "\u0b00-\u0b7f"),
        ("ta", "\u0b80-\u0bff"),
        ("te", "\u0c00-\u0c7f"),
        ("kn", "\u0c80-\u0cff"),
        ("ml", "\u0d00-\u0d7f"),
        ("si", "\u0d80-\u0dff"),
        ("th", "\u0e00-\u0e7f"),
        ("lo", "\u0e80-\u0eff"),
        ("bo", "\u0f00-\u0fff"),
        ("my", "\u1000-\u109f"),
        ("am", "\u1200-\u139f\u2d80-\u2ddf"),
        ("km", "\u1780-\u17ff\u19e0-\u19ff"),
    )
)
CJK = re.compile(f"(?:{KANA.pattern}|{HANGUL.pattern}|{HAN.pattern})+")
# Everything past Latin: the other scripts are looked for in these
# characters only, so a long Latin text is read twice, not 25 times.
BEYOND_LATIN = re.compile("[^\x00-\u024f\u1e00-\u1eff]+")
UNDETERMINED = "und"


def document_language(text: str) -> str:
    """A BCP 47 tag for a document's language. Threads carry none, so it is
    a guess from the script most of the text's letters are written in: the
    language most written in it (Latin → en, Cyrillic → ru, Arabic → ar,
    Devanagari → hi…), Han, kana and Hangul as `han_language` tells them
    apart; "und" (undetermined) for a text without letters."""
    beyond = "".join(BEYOND_LATIN.findall(text))
    counts = {"en": letter_count(LATIN, text)}
    counts.update((tag, letter_count(letters, beyond)) for tag, letters in SCRIPT_LANGUAGES)
    cjk = "".join(CJK.findall(beyond))
    tag, count = max(counts.items(), key=lambda item: item[1])
    if len(cjk) > count:
        return han_language(cjk)
    return tag if count else UNDETERMINED


def letter_count(letters: re.Pattern[str], text: str) -> int:
    return sum(map(len, letters.findall(text)))
