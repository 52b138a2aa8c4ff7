"""The free plan's watermark cannot be hidden by a style (issue 13): over
hostile styles (random gradients at any angle, hard stripes under the
footer, text and background colours chosen to match, extreme paddings and
sizes) every kind is rendered with the watermark forced, and the contrast
between the watermark's ink and the pixels right around it is measured on
the rendered image: at least 4.5:1. A forced render is never the same
picture as the one without the watermark."""

import io
import math

import numpy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from config.errors import Invalid
from rendering.engine import paint
from rendering.engine.contrast import (
    DARK,
    LIGHT,
    MIN_CONTRAST,
    blend,
    contrast_ratio,
    legible_ink,
    relative_luminance,
    worst_contrast,
)
from rendering.engine.layout import Page, PostInfo, TextBox, ThreadInfo
from rendering.engine.layout.model import MIN_FOOTER_SHARE, WATERMARK
from rendering.engine.renderer import RenderInput, RenderRefused, lay_out, render_page
from rendering.engine.spec import FOOTER_SIZES, Spec, spec_from_style
from rendering.engine.vocabulary import CANVAS_SIZES, FAMILIES, KINDS
from threads.style import RANGES, style_validate

# Ground pixels this close (in pixels, either way) to the watermark's ink
# are "immediately around" it.
AROUND = 3
THREAD = ThreadInfo(
    "Free exports, pro looks",
    "Mallory",
    "mallory",
    (
        PostInfo("A first post that is long enough to wrap over two or three lines of a card. " * 2),
        PostInfo("A second post, shorter."),
    ),
)
DATA = RenderInput(THREAD)

# --- Hostile styles -------------------------------------------------------------

colours = st.sampled_from(["#000000", "#ffffff", "#777777", "#1f2937", "#767676"]) | st.integers(
    0, 0xFFFFFF
).map(lambda value: f"#{value:06x}")
positions = st.floats(0.0, 1.0, allow_nan=False)
random_stops = st.lists(st.tuples(colours, positions), min_size=2, max_size=8).map(
    lambda stops: [[colour, position] for colour, position in sorted(stops, key=lambda stop: stop[1])]
)


@st.composite
def stripes(draw: st.DrawFn) -> list[list]:
    """Hard edges: colours that change at one position with no blend, up to
    four bands, the edges from the middle of the page to its very end,
    where the footer's line crosses them at one angle or another."""
    bands = draw(st.lists(colours, min_size=2, max_size=4))
    edges = sorted(draw(st.lists(st.floats(0.3, 0.999), min_size=len(bands) - 1, max_size=len(bands) - 1)))
    bounds = [0.0, *edges, 1.0]
    return [[colour, bounds[index + side]] for index, colour in enumerate(bands) for side in (0, 1)]


backgrounds = st.one_of(
    st.fixed_dictionaries({"type": st.just("solid"), "color": colours}),
    st.fixed_dictionaries(
        {"type": st.just("linear"), "angle": st.floats(0, 360, allow_nan=False), "stops": random_stops}
    ),
    st.fixed_dictionaries(
        {"type": st.just("linear"), "angle": st.sampled_from([0, 90, 180, 270, 135]), "stops": stripes()}
    ),
)


def ranged(name: str) -> st.SearchStrategy:
    low, high = RANGES[name]
    if isinstance(low, int):
        return st.integers(low, int(high))
    return st.floats(low, high, allow_nan=False)


@st.composite
def hostile_styles(draw: st.DrawFn) -> dict:
    """A style as an attacker would write it: any background, the text and
    card often in the colour at the gradient's end, the watermark asked off."""
    background = draw(backgrounds)
    bottom = background["color"] if background["type"] == "solid" else background["stops"][-1][0]
    size = draw(
        st.sampled_from(list(CANVAS_SIZES))
        | st.fixed_dictionaries({"width": st.integers(320, 2000), "height": st.integers(320, 2000)})
    )
    return {
        "canvas": {"size": size, "background": background, "padding": draw(ranged("canvas.padding"))},
        "card": {
            "background": draw(st.just(bottom) | colours),
            "opacity": draw(ranged("card.opacity")),
            "radius": draw(ranged("card.radius")),
            "padding": draw(ranged("card.padding")),
            "shadow": draw(st.booleans()),
        },
        "text": {
            "font": draw(st.sampled_from(FAMILIES)),
            "size": draw(ranged("text.size")),
            "line_height": draw(ranged("text.line_height")),
            "color": draw(st.just(bottom) | colours),
        },
        "footer": {"slide_numbers": draw(st.booleans()), "watermark": False},
    }


def valid_or_skip(style: dict) -> dict:
    try:
        return style_validate(style)
    except Invalid:
        assume(False)
        raise


# --- Measuring the picture -----------------------------------------------------


def pixels(content: bytes) -> numpy.ndarray:
    return numpy.asarray(Image.open(io.BytesIO(content)).convert("RGB"))


def watermark_of(page: Page) -> TextBox:
    (box,) = [box for box in page.boxes if isinstance(box, TextBox) and box.line.text == WATERMARK]
    return box


def around(box: TextBox, spec: Spec, page: Page) -> tuple[int, int, int, int]:
    """A frame of the page well around the watermark's line."""
    size = box.size or spec.text_role("footer")[0]
    left, top = max(math.floor(box.x - size), 0), max(math.floor(box.y - size), 0)
    right = min(math.ceil(box.x + box.line.width + size), page.width)
    return left, top, right, min(math.ceil(box.y + size * 2.5), page.height)


def ink_coverage(box: TextBox, spec: Spec, frame: tuple[int, int, int, int]) -> numpy.ndarray:
    """How much of each pixel of `frame` the watermark's glyphs cover
    (0–255): its text drawn white on black exactly where the page draws it
    (on a layer from the page's origin: moving the box by whole pixels can
    move a glyph to another quarter pixel, by floating-point rounding)."""
    left, top, right, bottom = frame
    layer = Image.new("RGB", (right, bottom), (0, 0, 0))
    paint.draw_text(layer, box, spec, ink=(255, 255, 255))
    return numpy.asarray(layer)[top:bottom, left:right, 0]


def shifted(array: numpy.ndarray, dy: int, dx: int, fill: float) -> numpy.ndarray:
    """`array` moved so that out[y, x] is array[y + dy, x + dx]."""
    height, width = array.shape
    out = numpy.full_like(array, fill)
    out[max(-dy, 0) : height - max(dy, 0), max(-dx, 0) : width - max(dx, 0)] = array[
        max(dy, 0) : height - max(-dy, 0), max(dx, 0) : width - max(-dx, 0)
    ]
    return out


def measured_contrast(image: numpy.ndarray, coverage: numpy.ndarray) -> float:
    """The lowest contrast between a pixel the watermark's ink covers whole
    and a pixel it does not touch at all, at most `AROUND` pixels apart:
    anti-aliased edges, part ink and part ground, are left out."""
    text, untouched = coverage == 255, coverage == 0
    assert text.sum() >= 10, "the watermark left too little whole ink to measure"
    luminance = relative_luminance(image)
    worst = math.inf
    for dy in range(-AROUND, AROUND + 1):
        for dx in range(-AROUND, AROUND + 1):
            neighbour = shifted(luminance, dy, dx, numpy.nan)
            pairs = text & shifted(untouched, dy, dx, False)
            if not pairs.any():
                continue
            a, b = luminance[pairs], neighbour[pairs]
            worst = min(worst, float(((numpy.maximum(a, b) + 0.05) / (numpy.minimum(a, b) + 0.05)).min()))
    return worst


def watermark_contrast(image: numpy.ndarray, page: Page, spec: Spec) -> float:
    box = watermark_of(page)
    frame = around(box, spec, page)
    left, top, right, bottom = frame
    return measured_contrast(image[top:bottom, left:right], ink_coverage(box, spec, frame))


def painted(
    style: dict, kind: str, page: int, *, forced: bool, scale: int
) -> tuple[Page, Spec, numpy.ndarray]:
    """A page as `render_page` paints it, before encoding."""
    spec = spec_from_style(style, kind=kind, scale=scale, watermark_forced=forced)
    pages = lay_out(DATA, spec, kind)
    chosen = pages[min(page, len(pages)) - 1]
    return chosen, spec, numpy.asarray(paint.paint(chosen, spec, {}, None, THREAD.author_name))


def render(style: dict, kind: str, page: int, *, forced: bool) -> bytes:
    return render_page(data=DATA, style=style, kind=kind, page=page, watermark_forced=forced).content


def check_watermark(style: dict, kind: str, page: int, scale: int = 1) -> None:
    """The forced watermark reads at 4.5:1 against its surroundings, at a
    legible size inside the page, and changes the picture."""
    chosen, spec, image = painted(style, kind, page, forced=True, scale=scale)
    box = watermark_of(chosen)

    assert watermark_contrast(image, chosen, spec) >= MIN_CONTRAST
    size = box.size or spec.text_role("footer")[0]
    assert size >= round(spec.text_role("footer")[0] * MIN_FOOTER_SHARE) >= FOOTER_SIZES[0] * MIN_FOOTER_SHARE
    assert box.x >= 0
    assert box.x + box.line.width <= chosen.width
    assert box.y >= 0
    assert box.y + size * 1.25 <= chosen.height
    _, _, hidden = painted(style, kind, page, forced=False, scale=scale)
    assert hidden.shape != image.shape or (hidden != image).any()


# --- The property --------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(style=hostile_styles(), kind=st.sampled_from(KINDS), page=st.integers(1, 4))
def test_no_style_makes_the_forced_watermark_illegible_or_absent(style, kind, page):
    """At scale 2, where the footer's strokes are wide enough to hold whole
    ink pixels in every family (at scale 1 some fonts at 8 px have none)."""
    valid = valid_or_skip(style)
    try:
        lay_out(DATA, spec_from_style(valid, kind=kind, scale=1, watermark_forced=True), kind)
    except RenderRefused:
        assume(False)
    check_watermark(valid, kind, page, scale=2)


def stripe_style(angle: float, light: str, dark: str, at: float, **footer: bool) -> dict:
    stops = [[light, 0.0], [light, at], [dark, at], [dark, 1.0]]
    return style_validate(
        {
            "canvas": {"background": {"type": "linear", "angle": angle, "stops": stops}},
            "footer": {"watermark": False, **footer},
        }
    )


def test_the_reported_attack_no_longer_hides_the_watermark():
    """Issue 13: the middle stop light (so the footer's ink was its dark
    #1f2937), the bottom of the page that same #1f2937: the free export was
    the Pro one, pixel for pixel."""
    style = style_validate(
        {
            "canvas": {
                "background": {
                    "type": "linear",
                    "angle": 180,
                    "stops": [
                        ["#ffffff", 0.0],
                        ["#ffffff", 0.3],
                        ["#ffffff", 0.5],
                        ["#1f2937", 0.75],
                        ["#1f2937", 1.0],
                    ],
                }
            },
            "text": {"color": "#1f2937"},
            "footer": {"watermark": False},
        }
    )
    for kind in KINDS:
        check_watermark(style, kind, 2)
        spec = spec_from_style(style, kind=kind, scale=1, watermark_forced=True)
        pages = lay_out(DATA, spec, kind)
        number = min(2, len(pages))
        exported = render(style, kind, number, forced=True)
        assert watermark_contrast(pixels(exported), pages[number - 1], spec) >= MIN_CONTRAST
        assert exported != render(style, kind, number, forced=False)


def test_a_hard_stripe_right_under_the_watermark_gets_a_plate():
    """Black and white meet under the middle of the watermark: no ink reads
    on both, so it sits on a plate, at every scale."""
    style = stripe_style(90, "#ffffff", "#000000", 0.5)
    for scale in (1, 2):
        check_watermark(style, "carousel", 2, scale)
    for scale in (1, 2, 3):
        check_watermark(style, "cards", 1, scale)


def test_a_horizontal_stripe_through_the_watermark_gets_a_plate():
    plain = stripe_style(180, "#ffffff", "#000000", 0.5)
    spec = spec_from_style(plain, kind="cards", scale=1, watermark_forced=True)
    page = lay_out(DATA, spec, "cards")[0]
    box = watermark_of(page)
    middle = (box.y + spec.text_role("footer")[0] * 0.6) / page.height
    style = stripe_style(180, "#000000", "#ffffff", middle)

    for kind in ("cards", "thread"):
        check_watermark(style, kind, 1)


def test_the_watermark_is_drawn_over_a_photo_like_ground():
    """The style has no background picture yet; painting is given one
    directly: a noisy photo under the watermark still leaves it legible."""
    style = style_validate({})
    spec = spec_from_style(style, kind="carousel", scale=1, watermark_forced=True)
    page = lay_out(DATA, spec, "carousel")[1]
    noise = numpy.random.default_rng(13).integers(0, 256, (page.height // 8, page.width // 8, 3))
    photo = Image.fromarray(noise.astype(numpy.uint8), "RGB").resize(
        (page.width, page.height), Image.Resampling.BICUBIC
    )

    paint.draw_watermark(photo, watermark_of(page), spec)

    assert watermark_contrast(numpy.asarray(photo), page, spec) >= MIN_CONTRAST


def test_the_seed_look_keeps_its_white_watermark_without_a_plate():
    style = style_validate({})
    spec = spec_from_style(style, kind="carousel", scale=1, watermark_forced=True)
    page = lay_out(DATA, spec, "carousel")[1]
    frame = around(watermark_of(page), spec, page)
    left, top, right, bottom = frame
    coverage = ink_coverage(watermark_of(page), spec, frame)
    image = pixels(render(style, "carousel", 2, forced=True))[top:bottom, left:right]
    hidden = pixels(render(style_validate({"footer": {"watermark": False}}), "carousel", 2, forced=False))

    assert (image[coverage == 255] == LIGHT).all()
    changed = (image != hidden[top:bottom, left:right]).any(axis=2)
    assert not changed[coverage == 0].any(), "a plate was drawn where the ground alone carries the ink"


def test_a_forced_watermark_gives_the_same_bytes_every_time():
    style = stripe_style(90, "#ffffff", "#000000", 0.5)

    assert render(style, "carousel", 2, forced=True) == render(style, "carousel", 2, forced=True)


def test_a_long_slide_number_gives_way_to_the_watermark():
    """On the narrowest canvas the style validator allows, a three-digit
    slide number would squeeze the watermark under its legible size: the
    number is left out instead."""
    style = style_validate({"canvas": {"size": {"width": 402, "height": 1350}, "padding": 0}})
    spec = spec_from_style(style, kind="carousel", scale=1, watermark_forced=True)
    thread = ThreadInfo("Long", "Ann", "ann", tuple(PostInfo(f"Post {n}") for n in range(120)))

    pages = lay_out(RenderInput(thread), spec, "carousel")

    smallest = round(spec.text_role("footer")[0] * MIN_FOOTER_SHARE)
    for page in pages:
        box = watermark_of(page)
        assert (box.size or spec.text_role("footer")[0]) >= smallest
    roles = [[box.role for box in page.boxes if isinstance(box, TextBox)] for page in pages]
    assert "number" in roles[0]
    assert "number" not in roles[-1]


# --- The contrast helper -----------------------------------------------------------


def test_contrast_ratios_match_wcag():
    assert contrast_ratio(LIGHT, (0, 0, 0)) == 21
    assert round(contrast_ratio(LIGHT, (0x76, 0x76, 0x76)), 2) == 4.54
    assert round(contrast_ratio(LIGHT, (0x77, 0x77, 0x77)), 2) == 4.48
    assert contrast_ratio(DARK, DARK) == 1


def test_a_plain_ground_takes_the_ink_that_reads_best_and_no_plate():
    assert legible_ink(numpy.full((4, 4, 3), 20, dtype=numpy.uint8)).ink == LIGHT
    assert legible_ink(numpy.full((4, 4, 3), 240, dtype=numpy.uint8)).ink == DARK
    assert legible_ink(numpy.full((4, 4, 3), 240, dtype=numpy.uint8)).plate is None


def test_the_worst_pixel_decides_not_the_average():
    """Mostly dark with one white pixel: white ink would read on the
    average and vanish on that pixel."""
    patch = numpy.zeros((10, 10, 3), dtype=numpy.uint8)
    patch[5, 5] = 255

    legible = legible_ink(patch)

    assert legible.plate is not None
    seen = blend(patch.reshape(-1, 3), legible.plate, legible.plate_alpha)
    assert worst_contrast(legible.ink, seen) >= MIN_CONTRAST


def test_the_plate_is_as_light_as_the_ground_allows():
    grey = numpy.full((4, 4, 3), 0x77, dtype=numpy.uint8)
    stripe = numpy.concatenate([numpy.zeros((4, 4, 3)), numpy.full((4, 4, 3), 255)]).astype(numpy.uint8)

    assert legible_ink(grey).plate_alpha < legible_ink(stripe).plate_alpha < 1
