"""Uploaded fonts: whatever comes in, the renderer only ever opens what the
OpenType Sanitizer passed and fontTools wrote anew."""

import io

import pytest
from fontTools.ttLib import TTFont, newTable

from brand.fonts import FontLimits, InvalidFont, font_clean
from tests.brand.fontmaker import make_font

LIMITS = FontLimits()


def clean(data: bytes, limits: FontLimits = LIMITS):
    return font_clean(io.BytesIO(data), limits)


@pytest.mark.parametrize(
    ("options", "source", "extension"),
    [
        ({}, "TTF", "ttf"),
        ({"cff": True}, "OTF", "otf"),
        ({"flavor": "woff"}, "WOFF", "ttf"),
        ({"flavor": "woff2"}, "WOFF2", "ttf"),
    ],
)
def test_every_accepted_container_comes_out_as_a_plain_font(options, source, extension):
    font = clean(make_font("Harbour Grotesk", **options))

    assert (font.source_format, font.extension, font.family) == (source, extension, "Harbour Grotesk")
    assert font.content[:4] in (b"\x00\x01\x00\x00", b"OTTO"), "WOFF and WOFF2 come out decompressed"
    reread = TTFont(io.BytesIO(font.content))
    assert reread.getBestCmap()[ord("A")]
    assert font.glyphs == reread["maxp"].numGlyphs


def test_the_same_upload_gives_the_same_bytes():
    data = make_font()

    assert clean(data).content == clean(data).content


def test_tables_the_sanitizer_does_not_know_are_dropped():
    font = TTFont(io.BytesIO(make_font()))
    odd = newTable("Zzzz")
    odd.data = b"\xde\xad\xbe\xef" * 64
    font["Zzzz"] = odd
    data = io.BytesIO()
    font.save(data)

    assert "Zzzz" not in TTFont(io.BytesIO(clean(data.getvalue()).content))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "is empty"),
        (b"GIF89a" + b"\0" * 64, "upload a TrueType"),
        (b"ttcf" + b"\0" * 64, "font collections"),
        (b"\x00\x01\x00\x00" + b"\xff" * 400, "OpenType Sanitizer refused"),
        (make_font()[:400], "OpenType Sanitizer refused"),
    ],
)
def test_what_is_not_a_usable_font_is_refused_naming_the_file(data, says):
    with pytest.raises(InvalidFont) as refused:
        clean(data)

    assert refused.value.field == "file"
    assert says in refused.value.message


def test_size_and_glyph_limits():
    with pytest.raises(InvalidFont, match="larger than 1 MB"):
        clean(make_font() + b"\0" * (1024 * 1024), FontLimits(max_bytes=1024 * 1024))
    with pytest.raises(InvalidFont, match="has 1,064 glyphs; at most 1,000"):
        clean(make_font(extra_glyphs=1000), FontLimits(max_glyphs=1000))


def test_a_font_that_maps_no_characters_is_refused():
    font = TTFont(io.BytesIO(make_font()))
    for table in font["cmap"].tables:
        table.cmap = {}
    data = io.BytesIO()
    font.save(data)

    with pytest.raises(InvalidFont, match=r"maps no Unicode characters|Sanitizer refused"):
        clean(data.getvalue())
