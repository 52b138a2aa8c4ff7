"""Fonts: the style's family first, then a fallback chain wide enough that no
character of any script is drawn as a missing-glyph box, then colour emoji.

Families come from the fontpkg-* packages (installed with the app); scripts
not packaged on PyPI (Hebrew, CJK, symbols) and colour emoji come from
Debian's Noto packages when the machine has them (CI and the production
image install them). Everything here is cached: a face is opened once per
(file, size, weight)."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fontpkg
from fontTools.ttLib import TTFont
from PIL import ImageFont

SYSTEM_FONTS = Path("/usr/share/fonts")
EMOJI_FILES = ("truetype/noto/NotoColorEmoji.ttf",)
# Noto Color Emoji is a bitmap font that only opens at this size.
EMOJI_BITMAP_SIZE = 109
FALLBACK_PACKAGES = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans Thai")
FALLBACK_SYSTEM = (
    "truetype/noto/NotoSansHebrew-Regular.ttf",
    "opentype/noto/NotoSansCJK-Regular.ttc",
    "truetype/noto/NotoSansSymbols-Regular.ttf",
    "truetype/noto/NotoSansSymbols2-Regular.ttf",
    "truetype/noto/NotoSansMath-Regular.ttf",
    "truetype/dejavu/DejaVuSans.ttf",
)


@dataclass(frozen=True)
class Face:
    """One font file in the chain."""

    path: str
    variable: bool


def package_face(family: str) -> Face | None:
    try:
        path = fontpkg.path(family, weight=400)
    except fontpkg.FontpkgError:
        return None
    return Face(path=str(path), variable="[" in path.name)


def system_face(relative: str) -> Face | None:
    path = SYSTEM_FONTS / relative
    return Face(path=str(path), variable=False) if path.exists() else None


@lru_cache(maxsize=32)
def font_chain(family: str) -> tuple[Face, ...]:
    """The style's family, then every fallback this machine has."""
    faces = [package_face(family), *(package_face(name) for name in FALLBACK_PACKAGES)]
    faces += [system_face(relative) for relative in FALLBACK_SYSTEM]
    unique: list[Face] = []
    for face in faces:
        if face and face not in unique:
            unique.append(face)
    return tuple(unique)


@lru_cache(maxsize=1)
def emoji_face() -> Face | None:
    return next((face for face in map(system_face, EMOJI_FILES) if face), None)


@lru_cache(maxsize=64)
def coverage(face: Face) -> frozenset[int]:
    """The code points a font has glyphs for."""
    font = TTFont(face.path, fontNumber=0, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@lru_cache(maxsize=256)
def load(face: Face, size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(face.path, size=size, layout_engine=ImageFont.Layout.RAQM)
    if face.variable:
        set_weight(font, weight)
    return font


def set_weight(font: ImageFont.FreeTypeFont, weight: int) -> None:
    """Weight, and optical size matched to the pixel size where the font has it."""
    wanted: dict[str, float] = {"weight": weight, "optical size": font.size}
    values: list[float] = []
    for axis in font.get_variation_axes():
        raw = axis.get("name", b"")
        name = (raw.decode() if isinstance(raw, bytes) else str(raw)).lower()
        value = wanted.get(name, axis["default"] or 0)
        values.append(max(axis["minimum"] or 0, min(axis["maximum"] or value, value)))
    font.set_variation_by_axes(values)


@lru_cache(maxsize=1)
def emoji_font() -> ImageFont.FreeTypeFont | None:
    face = emoji_face()
    if face is None:
        return None
    return ImageFont.truetype(face.path, size=EMOJI_BITMAP_SIZE, layout_engine=ImageFont.Layout.RAQM)


def warm_up(family: str = "Inter") -> None:
    """Find the font files and read their character maps now, not during the
    first render: a worker process calls this as it starts (about 150 ms)."""
    for face in font_chain(family):
        coverage(face)
    emoji = emoji_face()
    if emoji is not None:
        coverage(emoji)
