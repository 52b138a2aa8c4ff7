"""Painting: Pillow draws the boxes that layout placed. Nothing here decides
where anything goes.

Smooth edges: rounded rectangles and circles are drawn 4× larger and scaled
down, and those masks, the background and the card's shadow are cached per
size and style.

The footer's text sits on the canvas's ground, whatever the style paints
there, so its ink is checked against the pixels already under it
(`contrast`): the watermark's is always chosen from them, and it is painted
last, over everything, so no style can hide it; the slide number keeps the
style's ink where that reads and takes the chosen one where it does not."""

import hashlib
import io
import math
from functools import lru_cache
from typing import TypeGuard

import numpy
import unicode_segmentation_rs as segmentation
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from rendering.engine.cache import MB, ByteBoundedCache, bounded_images, image_bytes
from rendering.engine.contrast import RGB, legible_ink
from rendering.engine.layout import AvatarBox, ImageBox, LogoBox, Page, RuleBox, TextBox
from rendering.engine.spec import Spec
from rendering.engine.text import fonts, shaping
from rendering.engine.text.language import han_language
from rendering.engine.text.runs import EMOJI_ADVANCE, Run, split_runs

SUPERSAMPLE = 4
GRADIENT_ROWS = 256  # a band of a 3240-wide page in floats is 3 MB
SHADOW_COLOUR, SHADOW_DARKNESS = (10, 12, 30), 0.28
# Page grounds kept for reuse: eight 1080×1350 slides, or two at scale 2;
# one at scale 3 (52 MB) is made for each page instead.
GROUNDS = ByteBoundedCache(48 * MB, image_bytes)
AVATAR_WEIGHT = 700  # the initials on a picture-less avatar
# Their size, as a share of the avatar's diameter: one letter, or two.
INITIAL_SHARE, INITIALS_SHARE = 0.45, 0.36


def mix_colour(first: str, second: str, share: float) -> tuple[int, int, int]:
    """`first` moved `share` of the way towards `second`: a tint on a known ground."""
    a, b = hex_rgba(first)[:3], hex_rgba(second)[:3]
    return (
        round(a[0] + (b[0] - a[0]) * share),
        round(a[1] + (b[1] - a[1]) * share),
        round(a[2] + (b[2] - a[2]) * share),
    )


def hex_rgba(colour: str, alpha: float = 1.0) -> tuple[int, int, int, int]:
    value = colour.lstrip("#")
    own_alpha = int(value[6:8], 16) / 255 if len(value) == 8 else 1.0
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), round(255 * own_alpha * alpha))


# --- Background -------------------------------------------------------------


def gradient_lut(stops: tuple[tuple[str, float], ...], steps: int = 1024) -> numpy.ndarray:
    """Colours along the gradient line, `steps` of them, as floats."""
    positions = numpy.linspace(0.0, 1.0, steps)
    at = [position for _, position in stops]
    channels = [numpy.interp(positions, at, [hex_rgba(colour)[i] for colour, _ in stops]) for i in range(3)]
    return numpy.stack(channels, axis=1).astype(numpy.float32)


def background(spec_key: tuple, width: int, height: int) -> Image.Image:
    """The canvas background. A CSS linear gradient: the angle points where
    it goes (0° up, 90° right), the line as long as CSS makes it. Colours
    are interpolated in float and rounded once, so neighbouring bands differ
    by one level of 255, below what eyes see; a noise dither was tried and
    doubled PNG sizes for no visible gain. Computed a band of rows at a time:
    the whole 3240×4050 page in floats at once took 400 MB."""
    kind, value = spec_key
    if kind == "solid":
        return Image.new("RGB", (width, height), hex_rgba(value)[:3])
    angle, stops = value
    radians = math.radians(angle)
    dx, dy = math.sin(radians), -math.cos(radians)
    length = abs(width * dx) + abs(height * dy)
    xs = (numpy.arange(width, dtype=numpy.float32) - width / 2) * (dx / length)
    ys = (numpy.arange(height, dtype=numpy.float32) - height / 2) * (dy / length) + 0.5
    lut = numpy.clip(gradient_lut(stops) + 0.5, 0, 255).astype(numpy.uint8)
    pixels = numpy.empty((height, width, 3), dtype=numpy.uint8)
    for top in range(0, height, GRADIENT_ROWS):
        band = numpy.clip(ys[top : top + GRADIENT_ROWS, None] + xs[None, :], 0.0, 1.0)
        pixels[top : top + GRADIENT_ROWS] = lut[(band * (len(lut) - 1)).astype(numpy.int32)]
    return Image.fromarray(pixels, "RGB")


# --- Shapes -----------------------------------------------------------------


@lru_cache(maxsize=32)
def corner(radius: int) -> Image.Image:
    """A quarter disc, drawn 4× larger and scaled down for a smooth edge."""
    big = Image.new("L", (radius * SUPERSAMPLE * 2, radius * SUPERSAMPLE * 2), 0)
    ImageDraw.Draw(big).ellipse((0, 0, big.width - 1, big.height - 1), fill=255)
    return big.resize((radius * 2, radius * 2), Image.Resampling.LANCZOS).crop((0, 0, radius, radius))


@bounded_images(16 * MB)
def rounded_mask(width: int, height: int, radius: int, opacity: float = 1.0) -> Image.Image:
    """A rounded rectangle's alpha: solid (or `opacity`), with anti-aliased corners."""
    mask = Image.new("L", (width, height), round(255 * opacity))
    radius = min(radius, width // 2, height // 2)
    if radius <= 0:
        return mask
    top_left = corner(radius)
    if opacity < 1:
        top_left = top_left.point(lambda value: round(value * opacity))
    mask.paste(top_left, (0, 0))
    mask.paste(top_left.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (width - radius, 0))
    mask.paste(top_left.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, height - radius))
    mask.paste(top_left.transpose(Image.Transpose.ROTATE_180), (width - radius, height - radius))
    return mask


def circle_mask(diameter: int) -> Image.Image:
    return rounded_mask(diameter, diameter, diameter // 2)


@bounded_images(16 * MB)
def shadow(width: int, height: int, radius: int, blur: int) -> Image.Image:
    """A soft shadow for a card: its shape, blurred, as an alpha mask."""
    margin = blur * 3
    canvas = Image.new("L", (width + 2 * margin, height + 2 * margin), 0)
    canvas.paste(rounded_mask(width, height, radius), (margin, margin))
    return canvas.filter(ImageFilter.GaussianBlur(blur)).point(lambda value: round(value * SHADOW_DARKNESS))


def ground(spec: Spec, width: int, height: int, card: tuple[float, float, float, float]) -> Image.Image:
    """A page's background, shadow and card, to draw on: the same for every
    slide of a carousel, so kept (a copy is handed out) unless it is too big
    to keep, when the one made is handed out itself."""
    key = (spec, width, height, card)
    kept = GROUNDS.get(key)
    if isinstance(kept, Image.Image):
        return kept.copy()
    made = background(spec.background_key, width, height)
    paint_card(made, card, spec)
    return made.copy() if GROUNDS.put(key, made) else made


def paint_card(image: Image.Image, card: tuple[float, float, float, float], spec: Spec) -> None:
    """The card's shadow and its colour pasted through their masks straight
    onto the page: no page-sized layers (four of them at scale 3 were 200 MB)."""
    x, y, width, height = (round(v) for v in card)
    radius = min(round(spec.radius), width // 2, height // 2)
    if spec.shadow:
        blur = max(round(spec.unit * 10), 2)
        position = (x - blur * 3, y - blur * 3 + round(spec.unit * 6))
        image.paste(SHADOW_COLOUR, position, shadow(width, height, radius, blur))
    mask = rounded_mask(width, height, radius, round(spec.opacity, 3))
    image.paste(hex_rgba(spec.card_colour)[:3], (x, y), mask)


# --- Text ---------------------------------------------------------------------


@lru_cache(maxsize=256)
def emoji_tile(grapheme: str, size: int) -> Image.Image | None:
    """The colour emoji scaled to a `size`-pixel line (at most a few KB each)."""
    glyph = shaping.emoji_bitmap(grapheme)
    if glyph is None:
        return None
    scale = size / fonts.EMOJI_BITMAP_SIZE
    return glyph.resize(
        (max(round(glyph.width * scale), 1), max(round(glyph.height * scale), 1)), Image.Resampling.LANCZOS
    )


def draw_text(image: Image.Image, box: TextBox, spec: Spec, ink: tuple[int, int, int] | None = None) -> None:
    """The line's direction segments left to right on screen; inside each,
    the font runs in reading order for its direction, shaped by HarfBuzz.
    Runs are split as `runs.measure` splits them, so the line is as wide
    as layout measured. `ink` overrides the role's colour, opaque."""
    _, weight, colour = spec.text_role(box.role)
    size = drawn_size(box, spec)
    x = box.x + (box.width - box.line.width if box.line.rtl else 0)
    baseline = text_baseline(box, spec)
    language = box.line.language or han_language(box.line.text)
    rgba = (*ink, 255) if ink is not None else hex_rgba(colour)
    for segment in box.line.segments:
        runs = split_runs(segment.text, spec.role_font(box.role), weight, language)
        x = draw_runs(image, runs, x, baseline, size, weight, rgba, rtl=segment.rtl)


def drawn_size(box: TextBox, spec: Spec) -> int:
    """The box's pixel size: its role's, or the one it was fitted to (a
    title or the watermark)."""
    return round(box.size) if box.size is not None else spec.text_role(box.role)[0]


def text_baseline(box: TextBox, spec: Spec) -> int:
    """Every font run sits on the line's baseline, set by the style's font,
    whatever the fallback fonts' own ascenders."""
    size, weight = drawn_size(box, spec), spec.text_role(box.role)[1]
    return round(box.y + shaping.font(fonts.style_face(spec.role_font(box.role)), size, weight).ascender)


def draw_runs(
    image: Image.Image,
    runs: tuple[Run, ...],
    x: float,
    baseline: int,
    size: int,
    weight: int,
    ink: tuple[int, int, int, int],
    *,
    rtl: bool = False,
) -> float:
    """One direction segment's runs from `x`; returns where the next starts."""
    for run in reversed(runs) if rtl else runs:
        if run.face is None:
            x = draw_emoji(image, run.text, x, baseline, size, rtl=rtl)
            continue
        shaped = shaping.shape(run.text, run.face, size, weight, "rtl" if rtl else "ltr")
        shaping.draw_run(image, shaped, shaping.font(run.face, size, weight), x, baseline, ink)
        x += shaped.width
    return x


def draw_emoji(
    image: Image.Image, text: str, x: float, baseline: float, size: int, *, rtl: bool = False
) -> float:
    graphemes = segmentation.graphemes(text, True)
    for grapheme in reversed(graphemes) if rtl else graphemes:
        tile = emoji_tile(grapheme, size)
        if tile is not None:
            top = round(baseline - size * 0.92)
            image.paste(tile, (round(x + size * 0.08), top), tile)
        x += size * EMOJI_ADVANCE
    return x


# --- Images and avatars ---------------------------------------------------------


def paste_rounded(
    image: Image.Image, picture: Image.Image, box: tuple[int, int, int, int], radius: int, spec: Spec
) -> None:
    """The picture in its frame: cropped to fill it (cover) or whole on the
    placeholder's tint (contain), with the frame's rounded corners."""
    x, y, width, height = box
    picture = picture.convert("RGB")
    if spec.image_fit == "contain":
        fitted = placeholder_ground(width, height, spec.muted_colour, spec.card_colour).copy()
        inner = ImageOps.contain(picture, (width, height), Image.Resampling.LANCZOS)
        fitted.paste(inner, ((width - inner.width) // 2, (height - inner.height) // 2))
    else:
        fitted = ImageOps.fit(picture, (width, height), Image.Resampling.LANCZOS)
    image.paste(fitted, (x, y), rounded_mask(width, height, min(radius, width // 2, height // 2)))


def draw_placeholder(image: Image.Image, box: tuple[int, int, int, int], radius: int, spec: Spec) -> None:
    x, y, width, height = box
    tile = placeholder_tile(width, height, radius, spec.muted_colour, spec.card_colour, spec.unit)
    image.paste(tile, (x, y), rounded_mask(width, height, min(radius, width // 2, height // 2)))


@bounded_images(16 * MB)
def placeholder_ground(width: int, height: int, muted: str, card: str) -> Image.Image:
    """The card's colour with a hint of the muted text colour."""
    tint = Image.new("RGB", (width, height), hex_rgba(muted)[:3])
    return Image.blend(Image.new("RGB", (width, height), hex_rgba(card)[:3]), tint, 0.12)


@bounded_images(16 * MB)
def placeholder_tile(width: int, height: int, radius: int, muted: str, card: str, unit: float) -> Image.Image:
    """A faint frame with a picture icon where an image was not imported."""
    tile = placeholder_ground(width, height, muted, card).copy()
    draw = ImageDraw.Draw(tile)
    icon = min(width, height) // 5
    cx, cy = width // 2, height // 2
    colour = mix_colour(muted, card, 0.3)
    draw.rounded_rectangle(
        (cx - icon, cy - icon * 0.75, cx + icon, cy + icon * 0.75),
        radius=icon // 5,
        outline=colour,
        width=max(round(unit * 2), 1),
    )
    draw.polygon(
        [
            (cx - icon * 0.7, cy + icon * 0.5),
            (cx - icon * 0.15, cy - icon * 0.2),
            (cx + icon * 0.2, cy + icon * 0.2),
            (cx + icon * 0.45, cy - icon * 0.05),
            (cx + icon * 0.7, cy + icon * 0.5),
        ],
        fill=colour,
    )
    return tile


def avatar_colour(name: str) -> tuple[int, int, int]:
    palette = [(124, 58, 237), (219, 39, 119), (14, 165, 233), (22, 163, 74), (234, 88, 12), (79, 70, 229)]
    return palette[int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(palette)]


def draw_avatar(image: Image.Image, box: AvatarBox, spec: Spec, avatar: bytes | None, name: str) -> None:
    """The author's picture in the circle, else the box's initials on a
    disc tinted by the name."""
    diameter = round(box.diameter)
    x, y = round(box.x), round(box.y)
    if avatar:
        picture = Image.open(io.BytesIO(avatar))
        fitted = ImageOps.fit(picture.convert("RGB"), (diameter, diameter), Image.Resampling.LANCZOS)
        image.paste(fitted, (x, y), circle_mask(diameter))
        return
    disc = Image.new("RGB", (diameter, diameter), avatar_colour(name or box.initials))
    image.paste(disc, (x, y), circle_mask(diameter))
    if not box.initials:
        return
    share = INITIAL_SHARE if len(segmentation.graphemes(box.initials, True)) == 1 else INITIALS_SHARE
    initials = initial_image(box.initials, spec.font, round(diameter * share))
    if initials is not None:
        image.paste(
            initials, (x + (diameter - initials.width) // 2, y + (diameter - initials.height) // 2), initials
        )


@lru_cache(maxsize=32)
def initial_image(initial: str, family: str, size: int) -> Image.Image | None:
    """The initials drawn white with the fallback fonts (an emoji in colour),
    cropped to its ink so it can be centred on the disc."""
    runs = split_runs(initial, family, AVATAR_WEIGHT)
    if runs and runs[0].face is None:
        return emoji_tile(initial, size)
    # White with no alpha, so the glyphs' edges blend from white, not black.
    layer = Image.new("RGBA", (size * 4, size * 3), (255, 255, 255, 0))
    draw_runs(layer, runs, size, size * 2, size, AVATAR_WEIGHT, (255, 255, 255, 255))
    box = layer.getbbox()
    return layer.crop(box) if box else None


# --- The logo -------------------------------------------------------------------


# The logo at its drawn size by (content hash, width, height): the same logo
# is on every slide of a carousel, and painted once for all of them.
LOGOS = ByteBoundedCache(16 * MB, image_bytes)


def logo_image(logo: bytes, width: int, height: int) -> Image.Image:
    key = (hashlib.sha256(logo).hexdigest(), width, height)
    kept = LOGOS.get(key)
    if isinstance(kept, Image.Image):
        return kept
    with Image.open(io.BytesIO(logo)) as opened:
        picture = ImageOps.exif_transpose(opened).convert("RGBA")
    made = picture.resize((width, height), Image.Resampling.LANCZOS)
    LOGOS.put(key, made)
    return made


def draw_logo(image: Image.Image, box: LogoBox, logo: bytes | None) -> None:
    """The logo filling its box, over the card, through its own transparency."""
    if not logo:
        return
    drawn = logo_image(logo, round(box.width), round(box.height))
    image.paste(drawn, (round(box.x), round(box.y)), drawn)


# --- The footer ---------------------------------------------------------------


def draw_watermark(image: Image.Image, box: TextBox, spec: Spec) -> None:
    """The watermark in the ink that reads against the pixels already under
    it (background, shadow, anything drawn there), on a plate when no ink
    reads against all of them: no style can make it vanish."""
    draw_legible(image, box, spec)


def draw_slide_number(image: Image.Image, box: TextBox, spec: Spec) -> None:
    """The slide number in the style's ink (`Spec.footer_colour`, from the
    gradient's middle) where that reads at `MIN_CONTRAST` against every
    pixel under it; where the page's foot differs too much from its middle,
    in the ink (and on the plate) the watermark's rule picks."""
    draw_legible(image, box, spec, keep=hex_rgba(spec.text_role(box.role)[2])[:3])


def draw_legible(image: Image.Image, box: TextBox, spec: Spec, keep: RGB | None = None) -> None:
    """The box's line in the ink `contrast.legible_ink` gives for the pixels
    already under it (`keep` if it reads there), on its plate if it has one."""
    patch = footer_patch(box, spec, image.size)
    left, top, right, bottom = patch
    legible = legible_ink(numpy.asarray(image.crop(patch)), keep)
    if legible.plate is not None:
        width, height = right - left, bottom - top
        plate = rounded_mask(width, height, height // 2, legible.plate_alpha)
        image.paste(legible.plate, (left, top), plate)
    draw_text(image, box, spec, ink=legible.ink)


def footer_patch(box: TextBox, spec: Spec, canvas: tuple[int, int]) -> tuple[int, int, int, int]:
    """The pixels a footer line's legibility is judged on, and its plate's
    frame: the line's ink (ascenders to descenders) with half an em of
    margin on the sides and a third above and below, kept on the canvas."""
    size = drawn_size(box, spec)
    baseline = text_baseline(box, spec)
    side, edge = round(size * 0.5), round(size * 0.35)
    x = box.x + (box.width - box.line.width if box.line.rtl else 0)
    left, right = math.floor(x) - side, math.ceil(x + box.line.width) + side
    top, bottom = baseline - round(size * 0.8) - edge, baseline + round(size * 0.25) + edge
    return max(left, 0), max(top, 0), min(right, canvas[0]), min(bottom, canvas[1])


# --- The page -----------------------------------------------------------------


def is_watermark(box: object) -> TypeGuard[TextBox]:
    return isinstance(box, TextBox) and box.role == "footer"


def paint(
    page: Page,
    spec: Spec,
    pictures: dict[tuple[int, int], bytes | None],
    avatar: bytes | None,
    author: str,
    logo: bytes | None = None,
) -> Image.Image:
    """The page's ground and boxes, the slide number in an ink that reads on
    the ground under it; the watermark last, over everything."""
    image = ground(spec, page.width, page.height, page.card)
    for box in page.boxes:
        if is_watermark(box):
            continue
        if isinstance(box, TextBox) and box.role == "number":
            draw_slide_number(image, box, spec)
        elif isinstance(box, TextBox):
            draw_text(image, box, spec)
        elif isinstance(box, ImageBox):
            frame = (round(box.x), round(box.y), round(box.width), round(box.height))
            data = pictures.get((box.post, box.index))
            if data:
                paste_rounded(image, Image.open(io.BytesIO(data)), frame, round(box.radius), spec)
            else:
                draw_placeholder(image, frame, round(box.radius), spec)
        elif isinstance(box, AvatarBox):
            draw_avatar(image, box, spec, avatar, author)
        elif isinstance(box, LogoBox):
            draw_logo(image, box, logo)
        elif isinstance(box, RuleBox):
            ImageDraw.Draw(image).line(
                (box.x, box.y, box.x + box.width, box.y),
                fill=mix_colour(spec.muted_colour, spec.card_colour, 0.6),
                width=max(round(spec.unit), 1),
            )
    for box in page.boxes:
        if is_watermark(box):
            draw_watermark(image, box, spec)
    return image
