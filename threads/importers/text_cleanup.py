"""Shared clean-up of pasted text."""

import re
import unicodedata

from rendering.engine.layout import drawable
from threads.importers.mojibake import repair_mojibake

BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_paste(text: str) -> str:
    """Line endings to LF, mojibake repaired, control characters out, NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", drawable(repair_mojibake(text)))


def tidy_post(lines: list[str]) -> str:
    """Trailing spaces off, paragraphs kept, at most one blank line between."""
    text = "\n".join(line.rstrip() for line in lines).strip("\n")
    return BLANK_RUNS.sub("\n\n", text).strip()
