"""Caches of pixels are bounded in bytes, not entries."""

from PIL import Image

from rendering.engine import paint
from rendering.engine.cache import MB, ByteBoundedCache, bounded_images, image_bytes
from rendering.engine.spec import spec_from_style
from rendering.engine.text import shaping
from threads.style import style_validate


def test_the_oldest_values_go_when_the_budget_is_spent():
    cache = ByteBoundedCache(100, len)
    for key in "abcde":
        cache.put(key, "x" * 30)

    assert cache.used <= 100
    assert cache.get("a") is None
    assert cache.get("e") == "x" * 30


def test_a_value_larger_than_half_the_budget_is_made_each_time_not_kept():
    made = []

    @bounded_images(1 * MB)
    def tile(width: int) -> Image.Image:
        made.append(width)
        return Image.new("L", (width, width))

    tile(100)
    tile(100)
    tile(1000)
    tile(1000)

    assert made == [100, 1000, 1000]


def test_slide_grounds_at_scale_three_are_not_kept():
    paint.GROUNDS.clear()
    for scale in (1, 3):
        spec = spec_from_style(style_validate({"canvas": {"size": "portrait"}}), kind="carousel", scale=scale)
        card = (48.0 * spec.unit, 48.0 * spec.unit, 984.0 * scale, 1100.0 * scale)
        paint.ground(spec, spec.width, spec.height or 0, card)

    assert len(paint.GROUNDS.entries) == 1, "only the scale-1 ground (6 MB) is kept, not 52 MB"
    assert paint.GROUNDS.used <= paint.GROUNDS.budget


def test_glyph_masks_stay_within_their_budget(monkeypatch):
    from rendering.engine.text import fonts

    monkeypatch.setattr(shaping.GLYPHS, "budget", 2 * MB)
    face = fonts.style_face("Inter")
    for size in (20, 60, 120, 240):
        font = shaping.font(face, size)
        for glyph in range(1, 400):
            font.glyph(glyph, 0)

    held = sum(glyph.bytes for font in shaping.GLYPHS.fonts for glyph in font.cache.values())
    assert 0 < held <= 2 * MB
    assert image_bytes(Image.new("RGB", (10, 10))) == 400
