"""Small real fonts made in the tests (fontTools' FontBuilder): a few square
glyphs mapped to Latin letters, as TrueType, CFF, WOFF or WOFF2."""

import io

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def square(pen, size: int = 600) -> None:
    pen.moveTo((50, 0))
    pen.lineTo((50, size))
    pen.lineTo((size, size))
    pen.lineTo((size, 0))
    pen.closePath()


def make_font(
    family: str = "Test Brand Sans", *, cff: bool = False, flavor: str | None = None, extra_glyphs: int = 0
) -> bytes:
    names = [".notdef", "space", *[f"g{ord(c)}" for c in LETTERS], *[f"x{i}" for i in range(extra_glyphs)]]
    builder = FontBuilder(1000, isTTF=not cff)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{ord(c): f"g{ord(c)}" for c in LETTERS}})
    if cff:
        strings = {}
        for name in names:
            pen = T2CharStringPen(650, None)
            if name != "space":
                square(pen)
            strings[name] = pen.getCharString()
        builder.setupCFF(family.replace(" ", ""), {"FullName": family}, strings, {})
    else:
        glyphs = {}
        for name in names:
            pen = TTGlyphPen(None)
            if name != "space":
                square(pen)
            glyphs[name] = pen.glyph()
        builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(dict.fromkeys(names, (650, 50)))
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    font = builder.font
    if flavor:
        font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
