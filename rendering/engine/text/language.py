"""Which language Han characters are drawn in. They look different in
Japanese, Korean and Chinese, and CJK punctuation sits differently too, so
the CJK face and the shaper's language follow the text: kana → Japanese;
Hangul → Korean; a character that only Traditional Chinese writes (ICU's
Hant-Hans transliteration changes it) → Traditional Chinese; otherwise
Simplified Chinese, the default. A wrapped paragraph is judged whole, so
all its lines are drawn alike."""

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
