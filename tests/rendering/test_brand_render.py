"""The brand kit in the renderer: a user's font drawn where the style names
it (with the usual fallbacks for what it lacks), and the logo in the
style's corner of every slide and card, never under text. The engine is
given bytes (`RenderInput.fonts`, `.logo`); nothing here touches Django."""

import io
import zipfile
from functools import cache

import numpy
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from PIL import Image

from brand.fonts import FontLimits, font_clean
from config.errors import Invalid
from rendering.engine.layout import (
    AvatarBox,
    ImageBox,
    ImageInfo,
    LogoBox,
    Page,
    PostInfo,
    TextBox,
    ThreadInfo,
)
from rendering.engine.paint import drawn_size, is_watermark
from rendering.engine.renderer import RenderInput, lay_out, render, with_fonts
from rendering.engine.spec import Spec, spec_from_style
from rendering.engine.text import fonts, shaping
from rendering.engine.text.runs import split_runs
from tests.brand.fontmaker import make_font
from threads.style import style_validate

FAMILY = "Harbour Grotesk"
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
LOGO_GREEN = (0, 200, 80)
THREAD = ThreadInfo(
    "Brand day",
    "Ann Lee",
    "ann",
    (
        PostInfo("Hello World, a café and שלום עולם 👋 in one post."),
        PostInfo("The second post has more words to wrap over the card. " * 4),
    ),
)


@cache
def brand_font() -> bytes:
    """The test font as an upload comes out of the sanitiser: squares for
    Latin letters and digits, nothing else."""
    return font_clean(io.BytesIO(make_font(FAMILY)), FontLimits()).content


def logo_png(width: int = 200, height: int = 100, colour: tuple[int, int, int] = LOGO_GREEN) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (*colour, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def styled(fonts_allowed: tuple[str, ...] = (FAMILY,), **sections) -> dict:
    return style_validate(sections, fonts=fonts_allowed)


def pixels(content: bytes) -> numpy.ndarray:
    return numpy.asarray(Image.open(io.BytesIO(content)).convert("RGB")).astype(int)


def branded(**more) -> RenderInput:
    return RenderInput(THREAD, fonts={FAMILY: brand_font()}, logo=logo_png(), **more)


# --- Fonts -------------------------------------------------------------------


def test_a_custom_family_draws_its_own_glyphs_and_falls_back_for_the_rest():
    family = fonts.custom_family(brand_font())
    face = fonts.style_face(family)

    runs = split_runs("Hello café שלום 👋 World", family)

    by_face = {run.text: run.face for run in runs}
    assert by_face["Hello caf"] == face
    assert any(run.face is None for run in runs), "the emoji is drawn in colour"
    for run in runs:
        if run.face is not None:
            glyphs = [glyph for glyph, _, _ in shaping.shape(run.text, run.face, 24).glyphs]
            assert 0 not in glyphs, f"{run.text!r} drawn as a missing-glyph box"
    hebrew = next(run for run in runs if "שלום" in run.text)
    assert hebrew.face != face
    assert "Hebrew" in (hebrew.face.path if hebrew.face else "")
    assert next(run for run in runs if "é" in run.text).face != face


def test_the_font_file_is_written_once_by_content_hash():
    first = fonts.custom_family(brand_font())
    path = fonts.custom_path(first.removeprefix(fonts.CUSTOM_PREFIX))
    written = path.stat().st_mtime_ns

    assert fonts.custom_family(brand_font()) == first
    assert path.read_bytes() == brand_font()
    assert path.stat().st_mtime_ns == written


def test_layout_and_painting_use_the_same_face():
    spec = with_fonts(spec_from_style(styled(text={"font": FAMILY}), kind="carousel", scale=1), branded())

    assert spec.font.startswith(fonts.CUSTOM_PREFIX)
    assert spec.role_font("body") == spec.font
    pages = lay_out(branded(), spec, "carousel")
    body = next(
        box for page in pages for box in page.boxes if isinstance(box, TextBox) and box.role == "body"
    )
    # Squares 650 units wide: each Latin letter is 0.65 em in the custom face.
    letters = "Hello"
    assert body.line.text.startswith(letters)
    assert shaping.shape(letters, fonts.style_face(spec.font), 32).width == pytest.approx(5 * 0.65 * 32)


def test_a_render_in_the_custom_font_differs_from_inter_but_keeps_the_watermark_in_inter():
    style = styled(text={"font": FAMILY})
    custom = render(data=branded(), style=style, kind="carousel", fmt="png")
    inter = render(data=branded(), style=styled(), kind="carousel", fmt="png")
    spec = with_fonts(spec_from_style(style, kind="carousel", scale=1), branded())
    [mark] = [box for box in lay_out(branded(), spec, "carousel")[0].boxes if is_watermark(box)]

    assert custom[0].content != inter[0].content
    # The footer is the product's chrome, and must read: Inter either way.
    assert spec.role_font("footer") == spec.role_font("number") == "Inter"
    rows = slice(round(mark.y), round(mark.y + drawn_size(mark, spec) * 1.3))
    columns = slice(round(mark.x), round(mark.x + mark.width))
    assert numpy.array_equal(
        pixels(custom[0].content)[rows, columns], pixels(inter[0].content)[rows, columns]
    )


def test_a_deleted_font_draws_in_inter():
    without_file = RenderInput(THREAD)
    deleted = render(data=without_file, style=styled(text={"font": FAMILY}), kind="carousel", fmt="png")
    inter = render(data=without_file, style=styled(), kind="carousel", fmt="png")

    assert [file.content for file in deleted] == [file.content for file in inter]


def test_another_family_name_in_the_fonts_given_is_not_used():
    """Only the family the style names is looked up: a font given under
    another name changes nothing."""
    data = RenderInput(THREAD, fonts={"Someone Else": brand_font()})

    assert render(data=data, style=styled(), kind="thread", fmt="png")[0].content == (
        render(data=RenderInput(THREAD), style=styled(), kind="thread", fmt="png")[0].content
    )


# --- The logo: where it is drawn ---------------------------------------------


def logo_of(page: Page) -> LogoBox:
    [logo] = [box for box in page.boxes if isinstance(box, LogoBox)]
    return logo


def assert_logo_in_corner(page: Page, image: numpy.ndarray, corner: str) -> None:
    logo = logo_of(page)
    x, y, width, height = page.card
    middle_x, middle_y = round(logo.x + logo.width / 2), round(logo.y + logo.height / 2)
    assert tuple(image[middle_y, middle_x]) == LOGO_GREEN
    assert (logo.x < x + width / 2) == corner.endswith("left")
    assert (logo.y < y + height / 2) == corner.startswith("top")
    assert x < logo.x, "inside the card"
    assert logo.x + logo.width < x + width
    assert y < logo.y
    assert logo.y + logo.height < y + height


@pytest.mark.parametrize("corner", CORNERS)
def test_the_logo_is_in_its_corner_of_every_carousel_slide(corner):
    style = styled(canvas={"size": "square"}, logo={"corner": corner, "size": 48})
    files = render(data=branded(), style=style, kind="carousel", fmt="zip")
    spec = spec_from_style(style, kind="carousel", scale=1)
    pages = lay_out(branded(), spec, "carousel")

    assert [page.role for page in pages] == ["cover", "post", "post", "end"]
    with zipfile.ZipFile(io.BytesIO(files[0].content)) as archive:
        images = [pixels(archive.read(name)) for name in sorted(archive.namelist()) if name.endswith(".png")]
    for page, image in zip(pages, images, strict=True):
        assert_logo_in_corner(page, image, corner)
        assert logo_of(page).height == 96, "48 CSS px, doubled in a 1080-wide frame"
        assert logo_of(page).width == 192, "its aspect ratio kept"


@pytest.mark.parametrize("corner", CORNERS)
def test_the_logo_is_in_its_corner_of_a_framed_card(corner):
    style = styled(canvas={"size": "portrait"}, logo={"corner": corner, "size": 64})
    files = render(data=branded(), style=style, kind="cards", fmt="png")
    pages = lay_out(branded(), spec_from_style(style, kind="cards", scale=1), "cards")

    for page, file in zip(pages, files, strict=True):
        assert_logo_in_corner(page, pixels(file.content), corner)


def test_auto_cards_and_the_thread_image_carry_the_logo_too():
    style = styled(logo={"corner": "top-right"})
    for kind in ("cards", "thread"):
        files = render(data=branded(), style=style, kind=kind, fmt="png")
        pages = lay_out(branded(), spec_from_style(style, kind=kind, scale=1), kind)
        for page, file in zip(pages, files, strict=True):
            assert_logo_in_corner(page, pixels(file.content), "top-right")


def test_a_wide_logo_is_shrunk_to_half_the_column_keeping_its_aspect():
    data = RenderInput(THREAD, logo=logo_png(1000, 100))
    style = styled(canvas={"size": "square"}, logo={"corner": "bottom-left", "size": 160})
    spec = spec_from_style(style, kind="carousel", scale=2)
    page = lay_out(data, spec, "carousel")[1]
    logo = logo_of(page)
    column = spec.width - 2 * (spec.padding + spec.card_padding)

    assert logo.width == round(column / 2)
    assert logo.width / logo.height == pytest.approx(10, rel=0.02)


# --- The logo: never under text ----------------------------------------------


def extent(box: object, spec: Spec) -> tuple[float, float, float, float] | None:
    """What a box covers: left, top, right, bottom."""
    if isinstance(box, TextBox):
        left = box.x + (box.width - box.line.width if box.line.rtl else 0)
        return left, box.y, left + box.line.width, box.y + drawn_size(box, spec) * 1.3
    if isinstance(box, ImageBox):
        return box.x, box.y, box.x + box.width, box.y + box.height
    if isinstance(box, AvatarBox):
        return box.x, box.y, box.x + box.diameter, box.y + box.diameter
    return None


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_nothing_under_the_logo(pages: list[Page], spec: Spec) -> None:
    for page in pages:
        logo = logo_of(page)
        frame = (logo.x, logo.y, logo.x + logo.width, logo.y + logo.height)
        for box in page.boxes:
            covered = extent(box, spec)
            assert covered is None or not overlaps(covered, frame), f"{box} under the logo on {page.role}"


WORDS = ["Hello", "world,", "שלום", "עולם", "café", "👋", "a", "longer-word", "ספר", "נוסף.", "\n\n"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=160).map(" ".join), min_size=1, max_size=3
    ),
    corner=st.sampled_from(CORNERS),
    size=st.integers(24, 160),
    aspect=st.sampled_from([(100, 100), (300, 100), (100, 300), (1000, 60)]),
    canvas=st.sampled_from(["square", "portrait", "landscape", "auto"]),
    kind=st.sampled_from(["carousel", "cards", "thread"]),
    rtl_name=st.booleans(),
    picture=st.booleans(),
)
def test_no_text_picture_or_avatar_is_ever_under_the_logo(
    texts, corner, size, aspect, canvas, kind, rtl_name, picture
):
    images = (ImageInfo(800, 600),) if picture else ()
    posts = tuple(PostInfo(text, images) for text in texts)
    thread = ThreadInfo("A title that may wrap " * 3, "דנה לוי" if rtl_name else "Ann Lee", "ann", posts)
    data = RenderInput(thread, logo=logo_png(*aspect))
    try:
        style = style_validate(
            {"canvas": {"size": canvas, "padding": 24}, "logo": {"corner": corner, "size": size}}
        )
    except Invalid as refused:  # a logo too tall for a landscape slide is refused, naming it
        assert refused.field == "style.logo.size"
        reject()
    spec = spec_from_style(style, kind=kind, scale=1)

    assert_nothing_under_the_logo(lay_out(data, spec, kind), spec)


@pytest.mark.parametrize("corner", CORNERS)
def test_a_long_rtl_post_flows_around_the_logo_on_every_slide(corner):
    post = PostInfo(("זהו פוסט ארוך מאוד בעברית שממשיך ונמשך על פני כמה שקופיות. " * 30).strip())
    thread = ThreadInfo("כותרת", "דנה לוי", "dana", (post,))
    data = RenderInput(thread, logo=logo_png())
    style = style_validate({"canvas": {"size": "square"}, "logo": {"corner": corner, "size": 96}})
    spec = spec_from_style(style, kind="carousel", scale=1)
    pages = lay_out(data, spec, "carousel")

    assert len(pages) > 4, "the post flows over several slides"
    assert_nothing_under_the_logo(pages, spec)


# --- Without a logo: as before -----------------------------------------------


@pytest.mark.parametrize("kind", ["carousel", "cards", "thread"])
def test_corner_none_renders_byte_for_byte_as_without_a_logo(kind):
    plain = render(data=RenderInput(THREAD), style=style_validate({}), kind=kind, fmt="png")
    with_logo_file = render(
        data=RenderInput(THREAD, logo=logo_png()), style=style_validate({}), kind=kind, fmt="png"
    )

    assert [file.content for file in with_logo_file] == [file.content for file in plain]


def test_a_corner_without_a_logo_in_the_kit_draws_nothing():
    plain = render(data=RenderInput(THREAD), style=style_validate({}), kind="carousel", fmt="png")
    cornered = render(
        data=RenderInput(THREAD),
        style=style_validate({"logo": {"corner": "top-left"}}),
        kind="carousel",
        fmt="png",
    )

    assert [file.content for file in cornered] == [file.content for file in plain]
