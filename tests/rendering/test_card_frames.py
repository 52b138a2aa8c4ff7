"""Cards in a fixed frame (square, portrait, …): one post per frame, its
text as large as the style allows and shrunk to fit, a post too long for
one frame going on in the next ("1/2", "2/2"), pictures shrunk to stay
with their text; never clipped, every page the frame's size. Layout alone
with a fake measure (10 px a grapheme at 32 px, scaling with the size),
then the spec, the pixel sizes the editor labels, and real renders."""

import io

import pytest
import unicode_segmentation_rs as segmentation
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from rendering.engine.layout import (
    ImageBox,
    ImageInfo,
    Metrics,
    Page,
    PostInfo,
    TextBox,
    ThreadInfo,
    lay_out_cards,
    lay_out_thread,
)
from rendering.engine.layout.blocks import images_height
from rendering.engine.renderer import RenderInput, lay_out, render, render_page
from rendering.engine.spec import spec_from_style
from rendering.engine.vocabulary import CANVAS_SIZES, KINDS, output_size
from threads.style import style_validate

SENTENCES = (
    "The ferry left at dawn with nine bicycles aboard.",
    "Nobody knew who had packed the spare tyres.",
    "Mr. Ito counted them twice and still got eleven.",
    "By noon the fog had lifted over the harbour.",
    "We ate pears on the deck and argued about maps.",
    "Is a shortcut still a shortcut if it takes longer?",
)
FRAMES = {"square": (1080, 1080), "portrait": (1080, 1350)}
# A framed card's sizes with the default style: 12 to 16 CSS px at zoom 2.
CARD_SIZES = (24, 26, 28, 30, 32)


def fake(text: str) -> float:
    return 10.0 * len(segmentation.graphemes(text, True))


def metrics(size: str = "square", **changes) -> Metrics:
    width, height = FRAMES[size]
    roles = ("body", "name", "handle", "title", "subtitle", "footer", "number")
    values: dict = {
        "width": width,
        "height": height,
        "padding": 96,
        "card_padding": 32,
        "radius": 80,
        "body_size": 32,
        "line_height": 45,
        "measure": dict.fromkeys(roles, fake),
        "sizes": {"title": 70, "subtitle": 42, "footer": 23, "number": 23},
        "unit": 2,
        "leading": 1.4,
        "fit_sizes": CARD_SIZES,
        "kind": "cards",
    }
    values.update(changes)
    return Metrics(**values)


def prose(sentences: int, start: int = 0) -> str:
    return " ".join(SENTENCES[(start + n) % len(SENTENCES)] for n in range(sentences))


def long_post(paragraphs: int = 8) -> str:
    return "\n\n".join(prose(4, start) for start in range(paragraphs))


def cards(*posts: PostInfo | str, size: str = "square", **changes) -> list[Page]:
    given = tuple(PostInfo(post) if isinstance(post, str) else post for post in posts)
    return lay_out_cards(ThreadInfo("A title", "Ann", "ann", given), metrics(size, **changes))


def body(page: Page) -> list[TextBox]:
    return [box for box in page.boxes if isinstance(box, TextBox) and box.role == "body"]


def numbers(page: Page) -> list[str]:
    return [box.line.text for box in page.boxes if isinstance(box, TextBox) and box.role == "number"]


def words(pages: list[Page]) -> list[str]:
    return [word for page in pages for box in body(page) for word in box.line.text.split()]


def assert_inside_card(page: Page) -> None:
    """Every box but the footer's lies in the card, which lies in the page."""
    x, y, width, height = page.card
    assert x >= 0
    assert y >= 0
    assert x + width <= page.width
    assert y + height <= page.height
    for box in page.boxes:
        if isinstance(box, TextBox) and box.role in ("footer", "number"):
            assert box.y >= y + height, box
            continue
        if isinstance(box, TextBox):
            size = box.size or 32
            top, bottom, left, right = box.y, box.y + size * 1.4, box.x, box.x + box.line.width
        elif isinstance(box, ImageBox):
            top, bottom, left, right = box.y, box.y + box.height, box.x, box.x + box.width
        else:
            continue
        assert x - 0.5 <= left <= right <= x + width + 0.5, box
        assert y - 0.5 <= top <= bottom <= y + height + 0.5, box


# --- Layout -------------------------------------------------------------------


@pytest.mark.parametrize("size", FRAMES)
def test_a_short_post_is_one_frame_at_the_styles_size(size):
    (page,) = cards("A short post.", size=size)

    assert (page.width, page.height) == FRAMES[size]
    assert [box.line.text for box in body(page)] == ["A short post."]
    assert body(page)[0].size is None, "drawn at the body size, the largest allowed"
    assert numbers(page) == [], "a post on one frame is not numbered"
    assert page.posts == (1,)
    assert page.alt == "Ann (@ann): A short post."
    assert page.role == ""
    assert page.part == 0
    assert_inside_card(page)


@pytest.mark.parametrize("size", FRAMES)
def test_every_post_gets_its_own_frame(size):
    pages = cards("One.", "Two.", "Three.", size=size, pack=True)

    assert [page.posts for page in pages] == [(1,), (2,), (3,)], "never packed: a card shows one post"
    assert {(page.width, page.height) for page in pages} == {FRAMES[size]}


def test_a_post_that_does_not_fit_at_the_styles_size_shrinks_into_one_frame():
    # 6 paragraphs of 2 sentences: 12 lines and 5 gaps at 32 px, more than
    # the square's room; at 24 px the lines are longer and fewer.
    text = "\n\n".join(prose(2, start) for start in range(6))
    at_32 = cards(text, fit_sizes=(32,))

    (page,) = cards(text)

    assert len(at_32) == 2, "the post does not fit one frame at the style's size"
    assert body(page)[0].size is not None
    assert body(page)[0].size < 32
    assert words([page]) == text.split()
    assert_inside_card(page)


@pytest.mark.parametrize("size", FRAMES)
def test_a_long_post_goes_on_in_the_next_frame_numbered_and_whole(size):
    text = long_post(12)

    pages = cards(text, "After it.", size=size)
    frames = [page for page in pages if page.posts == (1,)]

    assert len(frames) >= 2
    assert [numbers(page) for page in frames] == [[f"{n}/{len(frames)}"] for n in range(1, len(frames) + 1)]
    assert [page.part for page in frames] == list(range(1, len(frames) + 1))
    assert words(frames) == text.split(), "every word, in order, none cut off"
    assert numbers(pages[-1]) == []
    assert pages[-1].posts == (2,)
    for page in pages:
        assert (page.width, page.height) == FRAMES[size]
        assert_inside_card(page)


def test_a_continued_post_with_slide_numbers_off_still_shows_all_its_words():
    text = long_post(12)

    pages = cards(text, slide_numbers=False)

    assert len(pages) >= 2
    assert all(numbers(page) == [] for page in pages)
    assert words(pages) == text.split()


def test_pictures_shrink_to_stay_in_the_frame_with_their_text():
    tall = ImageInfo(1000, 1250)
    post = PostInfo(prose(6), (tall,))
    full = images_height((tall,), metrics().column, metrics())

    (page,) = cards(post)
    (image,) = [box for box in page.boxes if isinstance(box, ImageBox)]

    assert image.height < full, "shrunk, not pushed to another frame"
    assert words([page]) == prose(6).split()
    assert_inside_card(page)


def test_a_picture_that_cannot_stay_with_its_text_moves_to_the_next_frame_whole():
    post = PostInfo(long_post(7), (ImageInfo(1000, 1250), ImageInfo(800, 600)))

    pages = cards(post)

    assert len(pages) >= 2
    assert sum(isinstance(box, ImageBox) for page in pages for box in page.boxes) == 2
    assert words(pages) == long_post(7).split()
    for page in pages:
        assert_inside_card(page)


def test_a_post_of_pictures_alone_fills_one_frame():
    (page,) = cards(PostInfo("", (ImageInfo(600, 2400), ImageInfo(2400, 600))))

    assert sum(isinstance(box, ImageBox) for box in page.boxes) == 2
    assert body(page) == []
    assert_inside_card(page)


def test_centred_content_sits_in_the_middle_of_the_room_under_the_header():
    top = cards("A short post.")[0]
    centred = cards("A short post.", align="center")[0]

    assert body(centred)[0].y > body(top)[0].y + 200


def test_carousel_studio_controls_do_not_apply_to_cards():
    text = "\n\n".join(prose(1, start) for start in range(3))
    post = PostInfo(text, breaks=(1, 2), keep=False)

    pages = cards(post)

    assert len(pages) == 1, "manual slide breaks are the carousel's, not the card's"


def test_a_card_without_a_frame_still_fits_its_post():
    (page,) = lay_out_cards(
        ThreadInfo("T", "Ann", "ann", (PostInfo("A short post."),)), metrics(height=None, fit_sizes=())
    )

    assert page.width == 1080
    assert page.height < 600


@settings(max_examples=40, deadline=None)
@given(
    paragraphs=st.lists(st.integers(1, 9), min_size=1, max_size=14),
    pictures=st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 3000)), max_size=4),
    size=st.sampled_from(list(FRAMES)),
    align=st.sampled_from(["top", "center"]),
)
def test_no_post_is_ever_clipped_or_drawn_outside_its_frame(paragraphs, pictures, size, align):
    text = "\n\n".join(prose(count, start) for start, count in enumerate(paragraphs))
    post = PostInfo(text, tuple(ImageInfo(width, height) for width, height in pictures))

    pages = cards(post, size=size, align=align)

    assert words(pages) == text.split()
    assert sum(isinstance(box, ImageBox) for page in pages for box in page.boxes) == len(pictures)
    for page in pages:
        assert (page.width, page.height) == FRAMES[size]
        assert_inside_card(page)


def test_the_thread_image_ignores_the_frame():
    thread = ThreadInfo("T", "Ann", "ann", (PostInfo("One."), PostInfo("Two.")))

    (page,) = lay_out_thread(thread, metrics(height=None, fit_sizes=(), kind="thread"))

    assert page.height < 600


# --- The spec and the sizes the editor labels ------------------------------------


def test_framed_cards_take_the_carousels_zoom_and_shrink_to_three_quarters():
    spec = spec_from_style(style_validate({"canvas": {"size": "square"}}), kind="cards", scale=1)

    assert (spec.width, spec.height, spec.unit) == (1080, 1080, 2)
    assert spec.fit_sizes == CARD_SIZES
    assert spec.pack is False


def test_framed_cards_with_fitted_text_take_the_fit_range():
    style = style_validate(
        {"canvas": {"size": "portrait"}, "text": {"fit": "slide", "fit_min": 14, "fit_max": 30}}
    )

    spec = spec_from_style(style, kind="cards", scale=2)

    assert (spec.width, spec.height, spec.unit) == (2160, 2700, 4)
    assert spec.fit_sizes == tuple(round(css * 4) for css in range(14, 31))


def test_small_text_is_not_shrunk_below_a_legible_size():
    spec = spec_from_style(
        style_validate({"canvas": {"size": "square"}, "text": {"size": 10}}), kind="cards", scale=1
    )

    assert spec.fit_sizes == (20,)


@pytest.mark.parametrize(
    ("kind", "size", "scale", "pixels"),
    [
        ("cards", "auto", 1, (600, None)),
        ("cards", "auto", 2, (1200, None)),
        ("cards", "square", 1, (1080, 1080)),
        ("cards", "square", 2, (2160, 2160)),
        ("cards", "portrait", 1, (1080, 1350)),
        ("cards", "portrait", 3, (3240, 4050)),
        ("cards", "landscape", 1, (1200, 675)),
        ("cards", "story", 1, (1080, 1920)),
        ("cards", {"width": 800, "height": 1000}, 2, (1600, 2000)),
        ("thread", "square", 1, (600, None)),
        ("thread", "auto", 3, (1800, None)),
        ("carousel", "auto", 1, (1080, 1350)),
        ("carousel", "square", 2, (2160, 2160)),
        ("carousel", "landscape", 1, (1200, 675)),
    ],
)
def test_output_size_tells_the_pixels_each_kind_renders_at(kind, size, scale, pixels):
    assert output_size(kind, size, scale) == pixels


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", [*CANVAS_SIZES, {"width": 700, "height": 900}])
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_output_size_is_what_the_spec_renders_at(kind, size, scale):
    spec = spec_from_style(style_validate({"canvas": {"size": size}}), kind=kind, scale=scale)

    assert output_size(kind, size, scale) == (spec.width, spec.height)


@pytest.mark.parametrize(
    ("kind", "size", "scale"),
    [("poster", "square", 1), ("cards", "huge", 1), ("cards", "square", 0), ("cards", "square", True)],
)
def test_output_size_refuses_what_it_does_not_know(kind, size, scale):
    with pytest.raises(ValueError, match="is not a"):
        output_size(kind, size, scale)


# --- Real renders ---------------------------------------------------------------


def thread(*texts: str) -> RenderInput:
    return RenderInput(ThreadInfo("Frames", "Ann Lee", "annlee", tuple(PostInfo(text) for text in texts)))


@pytest.mark.parametrize("size", FRAMES)
@pytest.mark.parametrize("scale", [1, 2])
def test_framed_card_pngs_are_exactly_the_frames_pixels(size, scale):
    style = style_validate({"canvas": {"size": size}})
    data = thread("A short post.", "\n\n".join(prose(6, start) for start in range(10)))

    files = render(data=data, style=style, kind="cards", fmt="png", scale=scale)

    assert len(files) >= 3, "the long post goes on in a second frame"
    for file in files:
        image = Image.open(io.BytesIO(file.content))
        assert image.size == (FRAMES[size][0] * scale, FRAMES[size][1] * scale)
        assert (file.width, file.height) == image.size
        assert file.alt.startswith("Ann Lee (@annlee): ")
    assert output_size("cards", size, scale) == (FRAMES[size][0] * scale, FRAMES[size][1] * scale)


def test_the_preview_of_a_framed_card_is_the_exported_frame():
    style = style_validate({"canvas": {"size": "square"}})
    data = thread("One.", "Two.")

    page = render_page(data=data, style=style, kind="cards", page=2, scale=2)

    assert (page.width, page.height, page.pages) == (2160, 2160, 2)
    assert Image.open(io.BytesIO(page.content)).size == (2160, 2160)


def test_the_thread_image_stays_auto_whatever_the_size():
    style = style_validate({"canvas": {"size": "square"}})

    (file,) = render(data=thread("One.", "Two."), style=style, kind="thread", fmt="png", scale=2)

    assert file.width == 1200
    assert file.height != 2160


def test_auto_cards_are_laid_out_as_before():
    """The frame work leaves `auto` alone: one fitted page a post, 600 wide."""
    style = style_validate({})
    spec = spec_from_style(style, kind="cards", scale=1)

    pages = lay_out(thread("One.", "Two."), spec, "cards")

    assert [page.width for page in pages] == [600, 600]
    assert spec.fit_sizes == ()
    assert spec.height is None
    assert spec.unit == 1
