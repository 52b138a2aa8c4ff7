"""Untrusted font files in, a font the renderer may open out.

A custom font is parsed by FreeType and HarfBuzz in the worker, so what a
user uploads is never handed to them as it came:

1. the container is sniffed (TrueType, OpenType/CFF, WOFF, WOFF2; no
   collections) and the size limited before anything parses it;
2. the OpenType Sanitizer (OTS, the parser Chromium and Firefox put in
   front of every web font) checks every table it knows, drops those it does
   not, and writes plain SFNT (WOFF and WOFF2 come out decompressed);
3. fontTools reads the sanitised font whole (every table decompiled), checks
   the glyph count and that it maps Unicode text, and writes it anew.

Identical input gives identical output bytes.
"""

import hashlib
import io
import resource
import struct
import subprocess  # nosec B404
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import ots
from fontTools.ttLib import TTFont, TTLibError

from config.errors import Invalid

# How each container starts; a TrueType collection ("ttcf") is refused.
SIGNATURES = {
    b"\x00\x01\x00\x00": "TTF",
    b"true": "TTF",
    b"OTTO": "OTF",
    b"wOFF": "WOFF",
    b"wOF2": "WOFF2",
}
SANITIZE_SECONDS = 20
SANITIZE_MEMORY = 1024 * 1024 * 1024
NAME_FAMILY, NAME_TYPOGRAPHIC_FAMILY = 1, 16


class InvalidFont(Invalid):
    pass


@dataclass(frozen=True)
class FontLimits:
    max_bytes: int = 5 * 1024 * 1024
    max_glyphs: int = 20_000


@dataclass(frozen=True)
class CleanFont:
    content: bytes
    family: str  # the family the font names itself
    extension: str  # ttf (TrueType outlines) or otf (CFF)
    glyphs: int
    sha256: str
    source_format: str  # what was uploaded: TTF, OTF, WOFF or WOFF2


def font_format(head: bytes) -> str:
    found = SIGNATURES.get(head[:4])
    if found is None:
        raise InvalidFont(
            "is not a font we can use: upload a TrueType (.ttf), OpenType (.otf), WOFF or WOFF2 file"
            + (" (font collections, .ttc, are not supported)." if head[:4] == b"ttcf" else "."),
            field="file",
        )
    return found


def limit_sanitizer() -> None:
    """In the sanitiser's process, before it starts: a cap on its memory and
    its processor time, whatever the file asks of it."""
    resource.setrlimit(resource.RLIMIT_AS, (SANITIZE_MEMORY, SANITIZE_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SANITIZE_SECONDS, SANITIZE_SECONDS))


def sanitized(content: bytes) -> bytes:
    """The font as the OpenType Sanitizer writes it back, or InvalidFont."""
    with tempfile.TemporaryDirectory(prefix="font-") as folder:
        given, written = Path(folder) / "given", Path(folder) / "sanitized"
        given.write_bytes(content)
        try:
            # The package's own ots-sanitize, run as ots.sanitize does, but
            # with a time limit and a cap on its memory: a fixed program, and
            # paths of our own temporary folder.
            subprocess.run(  # noqa: S603  # nosec B603
                [ots.OTS_SANITIZE, str(given), str(written)],
                capture_output=True,
                check=True,
                timeout=SANITIZE_SECONDS,
                preexec_fn=limit_sanitizer,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise InvalidFont(
                "is damaged or not a valid font (the OpenType Sanitizer refused it).", field="file"
            ) from exc
        return written.read_bytes()


def family_name(font: TTFont) -> str:
    names = font["name"]
    for name_id in (NAME_TYPOGRAPHIC_FAMILY, NAME_FAMILY):
        record = names.getDebugName(name_id)
        if record and record.strip():
            return " ".join(record.split())[:100]
    return ""


def font_clean(upload: BinaryIO, limits: FontLimits) -> CleanFont:
    """Check, sanitise and re-encode an uploaded font; InvalidFont (naming
    `file`) says what is wrong with it."""
    content = upload.read(limits.max_bytes + 1)
    if not isinstance(content, bytes) or not content:
        raise InvalidFont("is empty.", field="file")
    if len(content) > limits.max_bytes:
        raise InvalidFont(f"is larger than {limits.max_bytes // (1024 * 1024)} MB.", field="file")
    source_format = font_format(content)
    clean = sanitized(content)
    try:
        font = TTFont(io.BytesIO(clean), lazy=False, recalcTimestamp=False)
        glyphs = font["maxp"].numGlyphs
        unicode_map = font.getBestCmap()
        family = family_name(font) if "name" in font else ""
        is_cff = "CFF " in font or "CFF2" in font
        if glyphs > limits.max_glyphs:
            raise InvalidFont(
                f"has {glyphs:,} glyphs; at most {limits.max_glyphs:,} are allowed.", field="file"
            )
        if not unicode_map:
            raise InvalidFont("maps no Unicode characters, so it cannot set text.", field="file")
        for tag in list(font.keys()):  # every table decompiled: a broken one fails here
            font[tag]
        written = io.BytesIO()
        font.save(written, reorderTables=True)
    except InvalidFont:
        raise
    except (TTLibError, KeyError, ValueError, AssertionError, IndexError, struct.error) as exc:
        raise InvalidFont("is damaged or not a valid font.", field="file") from exc
    content = written.getvalue()
    return CleanFont(
        content=content,
        family=family,
        extension="otf" if is_cff else "ttf",
        glyphs=glyphs,
        sha256=hashlib.sha256(content).hexdigest(),
        source_format=source_format,
    )
