"""The carousel's slide number reads on whatever the gradient paints at the
page's foot. Its ink comes from the gradient's middle stop
(`Spec.footer_colour`), but it is drawn at the bottom: on a gradient whose
bottom differs from its middle "2/3" vanished. Now that ink is kept where it
reaches 4.5:1 against the worst pixel under the number, and replaced by the
watermark's rule (white or #1f2937, a plate if neither reads) where it does
not. Measured on the rendered image as the watermark is
(`test_watermark.measured_contrast`); renders that already read keep their
bytes."""

from dataclasses import replace

import numpy
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rendering.engine import paint
from rendering.engine.contrast import DARK, LIGHT, MIN_CONTRAST, Legible, legible_ink, worst_contrast
from rendering.engine.layout import Page, PostInfo, TextBox, ThreadInfo
from rendering.engine.renderer import RenderInput, RenderRefused, lay_out, render_page
from rendering.engine.spec import Spec, spec_from_style
from tests.rendering.test_watermark import (
    DATA,
    THREAD,
    around,
    colours,
    ink_coverage,
    measured_contrast,
    painted,
    pixels,
    stripes,
    valid_or_skip,
)
from threads.builtin_presets import BUILTIN_PRESETS
from threads.style import style_validate

# One post: a cover, one post slide and the end slide, numbered "2/3" in the
# middle, as in the report. The other tests use the watermark's thread (x/4).
ONE_POST = RenderInput(
    ThreadInfo("Footer", "Ann", "ann", (PostInfo("A post that wraps over two lines. " * 2),))
)
PAGES = (1, 2, 3, 4)
ANGLES = (0, 45, 90, 135, 180, 225, 270, 315)
LIGHTS = ("#ffffff", "#fde68a", "#e0f2fe", "#f5f5f5")
DARKS = ("#000000", "#1f2937", "#111827", "#3b0764")


def slide_number_of(page: Page) -> TextBox:
    (box,) = [box for box in page.boxes if isinstance(box, TextBox) and box.role == "number"]
    return box


def number_contrast(image: numpy.ndarray, page: Page, spec: Spec) -> float:
    """The lowest contrast between the number's whole-ink pixels and the
    untouched ones right around them, on the picture."""
    box = slide_number_of(page)
    left, top, right, bottom = frame = around(box, spec, page)
    return measured_contrast(image[top:bottom, left:right], ink_coverage(box, spec, frame))


def style_ink_reads(page: Page, spec: Spec) -> bool:
    """Would the style's own ink reach 4.5:1 against the ground under the
    number (the ground as painted before any text)?"""
    box = slide_number_of(page)
    ground = paint.ground(spec, page.width, page.height, page.card)
    under = numpy.asarray(ground.crop(paint.footer_patch(box, spec, ground.size)))
    return worst_contrast(paint.hex_rgba(spec.footer_colour)[:3], under.reshape(-1, 3)) >= MIN_CONTRAST


def gradient_style(angle: float, stops: list[list], **footer: bool) -> dict:
    return style_validate(
        {
            "canvas": {"background": {"type": "linear", "angle": angle, "stops": stops}},
            "footer": {"slide_numbers": True, "watermark": False, **footer},
        }
    )


def middle_against_ends(middle: str, ends: str) -> list[list]:
    """The middle stop (which gives the number its ink) one tone, both ends
    the other: whichever way the gradient runs, the page's foot is an end."""
    return [[ends, 0.0], [ends, 0.2], [middle, 0.5], [ends, 0.8], [ends, 1.0]]


# --- Hostile gradients ----------------------------------------------------------


@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize(("middle", "ends"), [("#ffffff", "#1f2937"), ("#1f2937", "#ffffff")])
def test_the_number_reads_when_the_foot_is_the_middle_stops_opposite(angle, middle, ends):
    """Middle light and ends dark (the number was #1f2937 on #1f2937), and
    the other way round (white on white), at eight angles: where the foot
    under the number is an end, the style's ink is replaced; everywhere the
    number reads. (At 45° and 225° the bottom right corner is the middle
    stop's: the style's ink reads there and stays.)"""
    style = gradient_style(angle, middle_against_ends(middle, ends))
    for page in PAGES:
        chosen, spec, image = painted(style, "carousel", page, forced=False, scale=1)

        assert style_ink_reads(chosen, spec) == (angle in (45, 225))
        assert number_contrast(image, chosen, spec) >= MIN_CONTRAST


def test_the_reported_invisible_2_of_3_now_reads():
    """Light at the top and middle, near-black at the bottom, straight down:
    "2/3" was drawn #1f2937 on #111827 (1.1:1). Now it is white, no plate."""
    style = gradient_style(180, [["#f8fafc", 0.0], ["#fde68a", 0.5], ["#111827", 1.0]])
    spec = spec_from_style(style, kind="carousel", scale=1)
    chosen = lay_out(ONE_POST, spec, "carousel")[1]
    box = slide_number_of(chosen)
    left, top, right, bottom = frame = around(box, spec, chosen)
    coverage = ink_coverage(box, spec, frame)
    exported = pixels(render_page(data=ONE_POST, style=style, kind="carousel", page=2).content)

    assert box.line.text == "2/3"
    assert spec.footer_colour == "#1f2937"
    assert not style_ink_reads(chosen, spec)
    assert (exported[top:bottom, left:right][coverage == 255] == LIGHT).all()
    assert number_contrast(exported, chosen, spec) >= MIN_CONTRAST


def test_a_hard_edge_under_the_number_gets_a_plate():
    """Black and white meet under the middle of the number: no ink reads on
    both, so it sits on a plate, at scales 1 and 2, with the watermark or not."""
    for scale in (1, 2):
        spec = spec_from_style(style_validate({}), kind="carousel", scale=scale)
        box = slide_number_of(lay_out(DATA, spec, "carousel")[1])
        at = (box.x + box.width / 2) / spec.width
        style = gradient_style(90, [["#ffffff", 0.0], ["#ffffff", at], ["#000000", at], ["#000000", 1.0]])
        for forced in (False, True):
            chosen, spec, image = painted(style, "carousel", 2, forced=forced, scale=scale)
            left, top, right, bottom = frame = paint.footer_patch(
                slide_number_of(chosen), spec, (chosen.width, chosen.height)
            )
            ground = numpy.asarray(paint.ground(spec, chosen.width, chosen.height, chosen.card).crop(frame))
            coverage = ink_coverage(slide_number_of(chosen), spec, frame)
            changed = (image[top:bottom, left:right] != ground).any(axis=2)

            assert not style_ink_reads(chosen, spec)
            assert legible_ink(ground).plate is not None
            assert changed[coverage == 0].any(), "no plate under the number"
            assert number_contrast(image, chosen, spec) >= MIN_CONTRAST


hostile_stops = st.one_of(
    st.builds(
        middle_against_ends,
        st.sampled_from(LIGHTS) | colours,
        st.sampled_from(DARKS) | colours,
    ),
    st.builds(
        middle_against_ends,
        st.sampled_from(DARKS) | colours,
        st.sampled_from(LIGHTS) | colours,
    ),
    stripes(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    angle=st.sampled_from(ANGLES) | st.floats(0, 360, allow_nan=False),
    stops=hostile_stops,
    page=st.sampled_from(PAGES),
    forced=st.booleans(),
    shadow=st.booleans(),
)
def test_no_gradient_hides_the_slide_number(angle, stops, page, forced, shadow):
    """At scale 2, where every family's strokes hold whole ink pixels."""
    style = valid_or_skip(
        {
            "canvas": {"background": {"type": "linear", "angle": angle, "stops": stops}},
            "card": {"shadow": shadow},
            "footer": {"slide_numbers": True, "watermark": False},
        }
    )
    try:
        chosen, spec, image = painted(style, "carousel", page, forced=forced, scale=2)
    except RenderRefused:
        assume(False)
        raise

    assert number_contrast(image, chosen, spec) >= MIN_CONTRAST


# --- Renders that already read keep their bytes ----------------------------------------


def as_before(page: Page, spec: Spec) -> numpy.ndarray:
    """The slide painted as it was before the number's ink was checked: the
    rest of the page, then the number in the style's own ink."""
    number = slide_number_of(page)
    others = replace(page, boxes=tuple(box for box in page.boxes if box is not number))
    image = paint.paint(others, spec, {}, None, THREAD.author_name)
    paint.draw_text(image, number, spec)
    return numpy.asarray(image)


@pytest.mark.parametrize("preset", BUILTIN_PRESETS, ids=lambda preset: preset.slug)
def test_a_number_that_reads_keeps_the_styles_ink_and_its_pixels(preset):
    """The seed's look (and every built-in preset) already reads: the slide
    number keeps the style's ink, no plate, the same pixels as before."""
    style = style_validate(preset.style)
    for scale in (1, 2):
        for page in PAGES:
            chosen, spec, image = painted(style, "carousel", page, forced=True, scale=scale)

            assert style_ink_reads(chosen, spec)
            assert numpy.array_equal(image, as_before(chosen, spec))


@pytest.mark.parametrize(("ground", "kept"), [("#db2777", True), ("#e0266f", False)])
def test_the_styles_ink_stays_from_4_5_though_the_rule_alone_would_add_a_plate(ground, kept):
    """White on the seed gradient's end colour, #db2777, is 4.597:1: it
    reads, so it stays as it was, with no plate, although the rule on its
    own (aiming at 4.6) would add one. On #e0266f, 4.49:1, it is replaced."""
    style = style_validate({"canvas": {"background": {"type": "solid", "color": ground}}})
    chosen, spec, image = painted(style, "carousel", 2, forced=True, scale=1)
    left, top, right, bottom = frame = paint.footer_patch(
        slide_number_of(chosen), spec, (chosen.width, chosen.height)
    )
    coverage = ink_coverage(slide_number_of(chosen), spec, frame)
    plated = (image[top:bottom, left:right] != as_before(chosen, spec)[top:bottom, left:right]).any(axis=2)
    under = paint.ground(spec, chosen.width, chosen.height, chosen.card).crop(frame)

    assert spec.footer_colour == "#ffffff"
    assert legible_ink(numpy.asarray(under)).plate is not None
    assert style_ink_reads(chosen, spec) == kept
    assert numpy.array_equal(image, as_before(chosen, spec)) == kept
    assert bool(plated[coverage == 0].any()) != kept
    assert number_contrast(image, chosen, spec) >= MIN_CONTRAST


def test_the_seed_look_renders_the_same_bytes_every_time():
    style = style_validate({})
    first = render_page(data=DATA, style=style, kind="carousel", page=2).content

    assert first == render_page(data=DATA, style=style, kind="carousel", page=2).content
    chosen, spec, _ = painted(style, "carousel", 2, forced=True, scale=1)
    assert spec.footer_colour == "#ffffff"
    assert numpy.array_equal(pixels(first), as_before(chosen, spec))


def test_a_hostile_render_gives_the_same_bytes_every_time():
    style = gradient_style(90, [["#ffffff", 0.0], ["#ffffff", 0.9], ["#000000", 0.9], ["#000000", 1.0]])

    renders = [
        render_page(data=DATA, style=style, kind="carousel", page=2, watermark_forced=False).content
        for _ in range(2)
    ]

    assert renders[0] == renders[1]


# --- The helper's rule -----------------------------------------------------------------


def test_an_ink_the_style_gives_is_kept_at_4_5_even_when_another_reads_better():
    """#767676 on white is 4.54:1: kept, though #1f2937 would read better;
    #777777 is 4.48:1: replaced, by the ink the rule picks."""
    white = numpy.full((4, 4, 3), 255, dtype=numpy.uint8)

    assert legible_ink(white, keep=(0x76, 0x76, 0x76)) == Legible((0x76, 0x76, 0x76))
    assert legible_ink(white, keep=(0x77, 0x77, 0x77)) == legible_ink(white) == Legible(DARK)


def test_the_worst_pixel_decides_whether_the_styles_ink_stays():
    """Mostly black with one light pixel: white reads on the average (and
    on all black) but not on that pixel, so it is not kept."""
    black = numpy.zeros((10, 10, 3), dtype=numpy.uint8)
    patch = black.copy()
    patch[5, 5] = 240

    assert legible_ink(black, keep=LIGHT) == Legible(LIGHT)
    assert legible_ink(patch, keep=LIGHT) == legible_ink(patch)
    assert legible_ink(patch, keep=LIGHT).plate is not None
