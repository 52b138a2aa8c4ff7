"""Shaped text drawn from a glyph cache.

HarfBuzz (uharfbuzz) shapes a run into glyph ids and positions; FreeType
(freetype-py) draws each glyph once per font, size, weight and quarter-pixel
offset, and painting pastes those masks. Pillow's `ImageDraw.text` draws
every glyph of every line from its outline each time (about 2 ms a line of
a variable font); from the cache a line costs about 0.3 ms.

Widths for layout come from the same shaping, so what layout measures is
what painting draws. Outlines are drawn unhinted, as browsers do at these
sizes, which keeps advances exact at any scale.

Colour emoji come from the same shaping (so a ZWJ sequence or a flag
becomes the font's one glyph) and the PNG the font holds for that glyph."""

import ctypes
import io
import threading
import unicodedata
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import freetype
import uharfbuzz as harfbuzz
from PIL import Image

from rendering.engine.cache import MB
from rendering.engine.text.fonts import Face, emoji_face

SUBPIXELS = 4  # horizontal positions a glyph is drawn at, per pixel
# Glyph masks kept, all fonts together: a few thousand glyphs at slide
# sizes. When full, every font's cache starts again.
GLYPH_BUDGET = 32 * MB
LOAD_FLAGS = freetype.FT_LOAD_RENDER | freetype.FT_LOAD_NO_HINTING
# A mark alone in its run (its base is in another font) is drawn as it is,
# not on the dotted circle HarfBuzz gives a mark without a base.
LONE_MARK_FLAGS = harfbuzz.BufferFlags.DO_NOT_INSERT_DOTTED_CIRCLE


@dataclass(frozen=True)
class Glyph:
    """A glyph's coverage and where its top-left sits from the pen (the
    mask's size and core kept: Pillow's properties cost per glyph drawn)."""

    mask: Image.Image | None  # None: nothing to draw (a space)
    left: int
    top: int
    width: int = 0
    height: int = 0
    core: Any = None  # the mask's ImagingCore, what `paste` takes

    @property
    def bytes(self) -> int:
        return self.width * self.height + 64


class GlyphBudget:
    """The bytes of glyph masks held by every font's cache."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.fonts: weakref.WeakSet[Font] = weakref.WeakSet()
        self.lock = threading.Lock()

    def charge(self, font: "Font", cost: int) -> None:
        with self.lock:
            if self.used + cost > self.budget:
                for holder in list(self.fonts):
                    holder.cache.clear()
                self.used = 0
            self.fonts.add(font)
            self.used += cost


GLYPHS = GlyphBudget(GLYPH_BUDGET)


@dataclass(frozen=True)
class Shaped:
    """A run shaped in one direction: glyphs in visual order, pen offsets
    in pixels from the run's start, and the run's advance."""

    glyphs: tuple[tuple[int, float, float], ...]  # (glyph id, x, y up)
    width: float


@dataclass(eq=False)  # by identity: the glyph budget keeps a weak set of fonts
class Font:
    """One face at one size and weight, for both shaping and drawing."""

    shaper: harfbuzz.Font
    outlines: freetype.Face
    scale: float  # pixels per font unit
    ascender: float
    cache: dict[tuple[int, int], Glyph] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def glyph(self, glyph_id: int, subpixel: int) -> Glyph:
        key = (glyph_id, subpixel)
        found = self.cache.get(key)
        if found is not None:
            return found
        with self.lock:  # a FreeType face draws one glyph at a time
            shift = freetype.Vector(subpixel * 64 // SUBPIXELS, 0)
            self.outlines.set_transform(freetype.Matrix(0x10000, 0, 0, 0x10000), shift)
            self.outlines.load_glyph(glyph_id, LOAD_FLAGS)
            slot = self.outlines.glyph
            mask = bitmap_mask(slot.bitmap)
            width, height = mask.size if mask is not None else (0, 0)
            core = mask.im if mask is not None else None
            found = Glyph(mask, slot.bitmap_left, slot.bitmap_top, width, height, core)
            GLYPHS.charge(self, found.bytes)
            self.cache[key] = found
        return found


def bitmap_mask(bitmap: freetype.Bitmap) -> Image.Image | None:
    if not bitmap.width or not bitmap.rows:
        return None
    size = (bitmap.width, bitmap.rows)
    # `bitmap.buffer` builds a list of ints byte by byte; read the memory directly.
    data = ctypes.string_at(bitmap._FT_Bitmap.buffer, abs(bitmap.pitch) * bitmap.rows)
    if bitmap.pixel_mode == freetype.FT_PIXEL_MODE_MONO:
        return Image.frombytes("1", size, data, "raw", "1", bitmap.pitch).convert("L")
    return Image.frombytes("L", size, data, "raw", "L", bitmap.pitch)


@lru_cache(maxsize=64)
def harfbuzz_face(path: str, index: int = 0) -> harfbuzz.Face:
    return harfbuzz.Face(harfbuzz.Blob.from_file_path(path), index)


def font(face: Face, size: int, weight: int = 400) -> Font:
    """The face at `size` pixels; variable faces at `weight` and, where they
    have the axis, the optical size matching the pixel size."""
    # A static face is the same at every weight: one glyph cache for all.
    return sized_font(face, size, weight if face.variable else 400)


@lru_cache(maxsize=128)
def sized_font(face: Face, size: int, weight: int) -> Font:
    shaper = harfbuzz.Font(harfbuzz_face(face.path, face.index))
    outlines = freetype.Face(face.path, face.index)
    outlines.set_char_size(size * 64)
    if face.variable:
        wanted = {"wght": weight, "opsz": size}
        coordinates = [
            max(axis.minimum, min(axis.maximum, wanted.get(axis.tag, axis.default)))
            for axis in outlines.get_variation_info().axes
        ]
        outlines.set_var_design_coords(coordinates)
        shaper.set_variations(
            {
                axis.tag: value
                for axis, value in zip(outlines.get_variation_info().axes, coordinates, strict=True)
            }
        )
    scale = size / shaper.face.upem
    extents = shaper.get_font_extents("ltr")
    return Font(shaper, outlines, scale, extents.ascender * scale)


# A shaped line holds a tuple per glyph, about 5 KB: 2,048 of them (a few
# threads' lines, what previews of one design reuse) stay under 10 MB. At
# 16,384 a worker's memory grew by 85 KB a bulk part until 80 MB on.
@lru_cache(maxsize=2048)
def shape(text: str, face: Face, size: int, weight: int = 400, direction: str | None = None) -> Shaped:
    """`text` shaped in `direction` (`None`: as its script goes)."""
    current = font(face, size, weight)
    buffer = harfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    if direction:
        buffer.direction = direction
    if face.language:
        buffer.language = face.language
    if unicodedata.category(text[:1])[:1] == "M":
        buffer.flags = LONE_MARK_FLAGS
    harfbuzz.shape(current.shaper, buffer, {})
    glyphs, pen = [], 0
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        glyphs.append(
            (info.codepoint, (pen + position.x_offset) * current.scale, position.y_offset * current.scale)
        )
        pen += position.x_advance
    return Shaped(tuple(glyphs), pen * current.scale)


def draw_run(
    image: Image.Image,
    shaped: Shaped,
    current: Font,
    x: float,
    baseline: int,
    colour: tuple[int, int, int, int],
) -> None:
    """Paste the run's glyphs with their left edge at `x` on `baseline`."""
    ink, alpha = colour[:3], colour[3]
    # Straight to Pillow's core: `Image.paste` checks its arguments on every
    # call, which for a few hundred glyphs a slide costs more than pasting.
    image.load()
    core = image.im
    for glyph_id, dx, dy in shaped.glyphs:
        pen = x + dx
        whole = int(pen // 1)
        glyph = current.glyph(glyph_id, int((pen - whole) * SUBPIXELS))
        if glyph.mask is None:
            continue
        mask = glyph.core if alpha == 255 else glyph.mask.point(lambda value: value * alpha // 255).im
        left, top = whole + glyph.left, baseline - round(dy) - glyph.top
        core.paste(ink, (left, top, left + glyph.width, top + glyph.height), mask)


@lru_cache(maxsize=1)
def emoji_shaper() -> harfbuzz.Font:
    return harfbuzz.Font(harfbuzz_face(emoji_face().path))


def emoji_glyph(cluster: str) -> int:
    """The emoji font's glyph for the cluster; for a sequence the font does
    not have (a newer ZWJ sequence), that of its first character; 0: none."""
    for text in (cluster, cluster[0]):
        buffer = harfbuzz.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        buffer.flags = harfbuzz.BufferFlags.REMOVE_DEFAULT_IGNORABLES
        harfbuzz.shape(emoji_shaper(), buffer, {})
        glyphs = [info.codepoint for info in buffer.glyph_infos]
        if len(glyphs) == 1 and glyphs[0]:
            return int(glyphs[0])
    return 0


def emoji_bitmap(cluster: str) -> Image.Image | None:
    """The cluster's colour glyph (a PNG in the font, 136×128), cropped to its ink."""
    glyph_id = emoji_glyph(cluster)
    if not glyph_id:
        return None
    png = emoji_shaper().get_glyph_color_png(glyph_id)
    tile = Image.open(io.BytesIO(bytes(png.data))).convert("RGBA")
    box = tile.getbbox()
    return tile.crop(box) if box else None
