"""The text layer's font: one embedded TrueType program with a single
blank glyph, used as a Type0 font (Identity-H), where every character of
the document has a code (CID) of its own that the ToUnicode map turns back
into that character, astral ones as UTF-16 surrogate pairs.

One character per CID, not one grapheme cluster: extractors reverse
right-to-left runs character by character (see `order`), so a cluster of
several characters (a Hebrew letter and its points) would come back with
its marks before its letter."""

import io
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

NAME = "ThreadNavigatorInvisibleText"
UNITS = 1000
ASCENT, DESCENT = 800, -200
LAST_CID = 0xFFFF
# The font's creation time, fixed (seconds since 1904, 2020-01-01): the
# builder would stamp the current time.
FONT_TIME = 3_660_681_600
REPLACEMENT = "\ufffd"
# Advance widths per character, in thousandths of the font size: each line
# is stretched to its drawn width, so only their ratios matter. Extractors
# (poppler) take a glyph that starts within a tenth of the font size of the
# one before for a duplicate (fake bold) and drop it, so none is zero; and
# a space is narrow, as in type, since poppler sees a gap of 0.7 em as the
# edge of a column.
NARROW, NORMAL, WIDE = 250, 500, 1000
NARROW_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Zs"})


@lru_cache(maxsize=1)
def glyphless_font() -> bytes:
    """The font program: `.notdef` and one blank glyph, no outlines. Its
    timestamps are fixed so the bytes are the same on every build."""
    builder = FontBuilder(UNITS, isTTF=True)
    builder.setupGlyphOrder([".notdef", "blank"])
    builder.setupCharacterMap({})
    builder.setupGlyf({name: TTGlyphPen(None).glyph() for name in (".notdef", "blank")})
    builder.setupHorizontalMetrics({".notdef": (NORMAL, 0), "blank": (NORMAL, 0)})
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    builder.setupNameTable({"familyName": NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT, usWinDescent=-DESCENT)
    builder.setupPost()
    builder.font["head"].created = builder.font["head"].modified = FONT_TIME
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()


def assign_cids(texts: Iterable[str]) -> dict[str, int]:
    """A CID from 1 per distinct character, in order of first use. Past the
    two-byte codes, characters share the replacement character's."""
    cids: dict[str, int] = {}
    for text in texts:
        for char in text:
            if char not in cids:
                cids[char] = (
                    len(cids) + 1 if len(cids) < LAST_CID - 1 else cids.setdefault(REPLACEMENT, LAST_CID)
                )
    return cids


def characters(cids: dict[str, int]) -> dict[int, str]:
    """Each CID's character: the first given it."""
    owners: dict[int, str] = {}
    for char, cid in cids.items():
        owners.setdefault(cid, char)
    return dict(sorted(owners.items()))


@lru_cache(maxsize=8192)
def advance(char: str) -> int:
    """A rough share of a line for `char`: spaces, marks and format
    characters narrow, wide (CJK, emoji) characters wide."""
    if unicodedata.category(char) in NARROW_CATEGORIES:
        return NARROW
    return WIDE if unicodedata.east_asian_width(char) in ("W", "F") else NORMAL


def widths(owners: dict[int, str]) -> list[int]:
    """The CID font's /W array, for CIDs 1, 2, … in one run."""
    return [advance(char) for char in owners.values()]


def cid_to_gid(owners: dict[int, str]) -> bytes:
    """Every CID drawn with the blank glyph (GID 1), CID 0 with `.notdef`."""
    return b"\x00\x00" + b"\x00\x01" * len(owners)


def to_unicode(owners: dict[int, str]) -> bytes:
    """The ToUnicode CMap: each CID to its character in UTF-16BE, in
    blocks of at most 100 (the CMap format's limit)."""
    entries = [f"<{cid:04X}> <{char.encode('utf-16-be').hex().upper()}>" for cid, char in owners.items()]
    blocks = [
        f"{len(block)} beginbfchar\n" + "\n".join(block) + "\nendbfchar"
        for block in (entries[start : start + 100] for start in range(0, len(entries), 100))
    ]
    return "\n".join([CMAP_HEAD, *blocks, CMAP_TAIL]).encode()


CMAP_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange"""
CMAP_TAIL = """endcmap
CMapName currentdict /CMap defineresource pop
end
end"""
