"""Carousel composition: posts cut at paragraphs, then sentences, then
words; no widow or orphan line; pictures kept with their text; text fitted
per slide; content centred; short posts packed; manual breaks and posts kept
together. Layout alone, with a fake measure (10 px a grapheme at 32 px,
scaling with the size), then a few checks on real renders."""

import pytest
import unicode_segmentation_rs as segmentation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from config.errors import Invalid
from rendering.engine.layout import (
    ImageBox,
    ImageInfo,
    Metrics,
    PostInfo,
    RuleBox,
    TextBox,
    ThreadInfo,
    lay_out_carousel,
)
from rendering.engine.layout.blocks import paragraphs
from rendering.engine.renderer import RenderInput, lay_out
from rendering.engine.spec import spec_from_style
from threads.style import style_validate

COLUMN = 1080 - 2 * (96 + 32)
LINE = 45
# Sentences of our own, each about half a line of the fake measure.
SENTENCES = (
    "The ferry left at dawn with nine bicycles aboard.",
    "Nobody knew who had packed the spare tyres.",
    "Mr. Ito counted them twice and still got eleven.",
    "By noon the fog had lifted over the harbour.",
    "We ate pears on the deck and argued about maps.",
    "Is a shortcut still a shortcut if it takes longer?",
)


def fake(text: str) -> float:
    return 10.0 * len(segmentation.graphemes(text, True))


def metrics(**changes) -> Metrics:
    roles = ("body", "name", "handle", "title", "subtitle", "footer", "number")
    values: dict = {
        "width": 1080,
        "height": 1350,
        "padding": 96,
        "card_padding": 32,
        "radius": 80,
        "body_size": 32,
        "line_height": LINE,
        "measure": dict.fromkeys(roles, fake),
        "sizes": {"title": 70, "subtitle": 42, "footer": 23, "number": 23},
        "unit": 2,
        "leading": 1.4,
    }
    values.update(changes)
    return Metrics(**values)


FITTED = {"fit_sizes": tuple(range(32, 81, 2))}  # 16 to 40 CSS px at zoom 2


def prose(sentences: int, start: int = 0) -> str:
    return " ".join(SENTENCES[(start + n) % len(SENTENCES)] for n in range(sentences))


def carousel(*posts: PostInfo | str, **changes) -> list:
    given = tuple(PostInfo(post) if isinstance(post, str) else post for post in posts)
    return lay_out_carousel(ThreadInfo("A title", "Ann", "ann", given), metrics(**changes))[1:-1]


def body(page) -> list[TextBox]:
    return [box for box in page.boxes if isinstance(box, TextBox) and box.role == "body"]


def slide_paragraphs(page) -> list[list[TextBox]]:
    """The page's body lines grouped by paragraph (a paragraph gap is wider
    than a line)."""
    groups: list[list[TextBox]] = []
    for box in body(page):
        step = LINE if box.size is None else round(box.size * 1.4)
        if groups and box.y - groups[-1][-1].y <= step + 0.5:
            groups[-1].append(box)
        else:
            groups.append([box])
    return groups


def words(pages) -> list[str]:
    return " ".join(box.line.text for page in pages for box in body(page)).split()


# --- Where posts are cut -------------------------------------------------------


def test_paragraphs_that_fit_a_slide_are_never_cut():
    text = "\n\n".join(f"Part {n}. {prose(3, n)}" for n in range(14))
    pages = carousel(text)

    assert len(pages) >= 2
    whole = set(paragraphs(text))
    assert all(part in whole for page in pages for part in page.alt.split("\n\n"))
    assert words(pages) == text.split()


def test_a_paragraph_longer_than_a_slide_is_cut_after_a_sentence():
    text = prose(60)
    pages = carousel(text)

    assert len(pages) >= 2
    for page in pages:
        assert page.alt.endswith((".", "?")), page.alt[-40:]
    assert words(pages) == text.split()
    assert "Mr." not in [page.alt.split()[-1] for page in pages], "an abbreviation ends no sentence"


def test_a_sentence_longer_than_a_slide_is_cut_between_words():
    text = " ".join(f"w{n}" for n in range(900))
    pages = carousel(text)

    assert len(pages) >= 2
    assert words(pages) == text.split()


@pytest.mark.parametrize("before", [0, 2, 5, 9, 14, 17, 18, 19])
@pytest.mark.parametrize("sentences", [3, 5, 8, 13, 40])
def test_no_slide_starts_or_ends_with_a_lone_line_of_a_cut_paragraph(before, sentences):
    lead = "x " * (before * 40) if before else ""
    text = "\n\n".join(part for part in (lead.strip(), prose(sentences)) if part)
    pages = carousel(text)

    originals = set(paragraphs(text))
    for page in pages:
        groups, pieces = slide_paragraphs(page), page.alt.split("\n\n")
        assert len(groups) == len(pieces)
        for group, piece in zip(groups, pieces, strict=True):
            if piece not in originals:
                assert len(group) >= 2, f"a cut paragraph left {len(group)} line on a slide"
    assert words(pages) == text.split()


def test_a_manual_break_starts_a_slide_at_its_paragraph():
    post = PostInfo("One short paragraph.\n\nAnother short one.\n\nA third.", breaks=(1,))
    pages = carousel(post)

    assert [page.alt for page in pages] == ["One short paragraph.", "Another short one.\n\nA third."]


# --- Pictures ---------------------------------------------------------------


def test_pictures_that_do_not_fit_take_the_text_before_them_along():
    filler = "\n\n".join(prose(2, n) for n in range(8))
    post = PostInfo(f"{filler}\n\nThis is the paragraph the picture shows.", (ImageInfo(1000, 800),))
    pages = carousel(post)

    pictured = [page for page in pages if any(isinstance(box, ImageBox) for box in page.boxes)]
    assert len(pictured) == 1
    assert "the paragraph the picture shows" in pictured[0].alt
    assert body(pictured[0]), "the picture is not alone on its slide"


def test_a_picture_that_fits_after_its_text_stays_on_its_slide():
    post = PostInfo("A short caption.", (ImageInfo(1600, 900),))
    pages = carousel(post)

    assert len(pages) == 1
    assert any(isinstance(box, ImageBox) for box in pages[0].boxes)


# --- Sizes and placement ----------------------------------------------------


def test_without_fit_every_line_keeps_the_text_size():
    pages = carousel("Short.", prose(30))

    assert all(box.size is None for page in pages for box in body(page))


def test_fitted_text_grows_on_short_posts_and_stays_in_range_and_column():
    pages = carousel("A short post.", prose(12), prose(80), **FITTED)

    sizes = [{box.size or 32 for box in body(page)} for page in pages]
    assert all(len(found) == 1 for found in sizes), "one size a slide"
    sizes_by_slide = [found.pop() for found in sizes]
    assert all(32 <= size <= 80 for size in sizes_by_slide)
    assert sizes_by_slide[0] == 80, "a short post takes the largest size"
    assert sizes_by_slide[0] > sizes_by_slide[1] > 32
    for page in pages:
        for box in body(page):
            assert box.line.width <= COLUMN + 0.5


def test_fitted_text_fills_the_room_under_the_header():
    pages = carousel(prose(9), prose(16, 2), **FITTED)

    for page in pages:
        lines = body(page)
        bottom = lines[-1].y + round((lines[-1].size or 32) * 1.4)
        _, top, _, height = page.card
        assert bottom - top > 0.8 * height, "the text uses most of the card"
        assert bottom <= top + height - 32 + 0.5, "and stays inside it"


def test_a_long_post_is_cut_evenly_when_fitted():
    pages = carousel(prose(70), **FITTED)

    counts = [len(body(page)) for page in pages]
    assert len(pages) >= 2
    assert max(counts) - min(counts) <= max(counts) * 0.35, counts


def test_centred_content_has_equal_room_above_and_below():
    pages = carousel("Two words.", align="center")

    page = pages[0]
    line = body(page)[0]
    _, top, _, height = page.card
    header_bottom = max(box.y for box in page.boxes if isinstance(box, TextBox) and box.role == "handle")
    above = line.y - (header_bottom + 32 * 1.35)
    below = (top + height - 32) - (line.y + LINE)
    assert above > 200
    assert abs(above - below) < 0.25 * max(above, below) + 60


def test_top_aligned_content_starts_under_the_header():
    page = carousel("Two words.")[0]
    line = body(page)[0]
    handle = next(box for box in page.boxes if isinstance(box, TextBox) and box.role == "handle")

    assert line.y - handle.y < 3 * LINE


# --- Packing and keeping together -------------------------------------------


def test_short_posts_share_a_slide_when_packed_with_a_rule_between():
    posts = ("First short post.", "Second one.", "Third, also short.", prose(80))
    alone, packed = carousel(*posts), carousel(*posts, pack=True)

    assert len(alone) > len(packed)
    assert packed[0].posts == (1, 2, 3)
    assert sum(isinstance(box, RuleBox) for box in packed[0].boxes) == 2
    assert all(4 not in page.posts or page.posts == (4,) for page in packed), "a cut post is never packed"
    assert words(packed) == words(alone)


def test_a_post_kept_together_shrinks_onto_one_slide():
    text = "\n\n".join(prose(3, n) for n in range(9))
    loose = carousel(text, **FITTED)
    kept = carousel(PostInfo(text, keep=True), **FITTED)

    assert len(loose) == 2
    assert len(kept) == 1
    assert body(kept[0])[0].size in (None, *range(24, 32))


def test_every_scale_cuts_the_same_words():
    def doubled(text: str) -> float:
        return 2 * fake(text)

    text = prose(50)
    small = carousel(text, "Short one.", **FITTED)
    roles = ("body", "name", "handle", "title", "subtitle", "footer", "number")
    large = lay_out_carousel(
        ThreadInfo("A title", "Ann", "ann", (PostInfo(text), PostInfo("Short one."))),
        metrics(
            width=2160,
            height=2700,
            padding=192,
            card_padding=64,
            radius=160,
            body_size=64,
            line_height=90,
            measure=dict.fromkeys(roles, doubled),
            sizes={"title": 140, "subtitle": 84, "footer": 46, "number": 46},
            unit=4,
            fit_sizes=tuple(range(64, 161, 4)),
        ),
    )[1:-1]

    assert [page.alt for page in small] == [page.alt for page in large]


# --- The style document ------------------------------------------------------


def test_the_composition_settings_default_to_todays_look():
    style = style_validate({})

    assert style["text"]["fit"] == "off"
    assert style["card"]["align"] == "top"
    assert style["carousel"]["pack"] is False


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"text": {"fit": "page"}}, "style.text.fit"),
        ({"text": {"fit": True}}, "style.text.fit"),
        ({"text": {"fit_min": 4}}, "style.text.fit_min"),
        ({"text": {"fit_max": 65}}, "style.text.fit_max"),
        ({"text": {"fit_min": 30, "fit_max": 20}}, "style.text.fit_max"),
        ({"card": {"align": "bottom"}}, "style.card.align"),
        ({"carousel": {"pack": "yes"}}, "style.carousel.pack"),
        ({"carousel": {"packing": True}}, "style.carousel.packing"),
        (
            {"canvas": {"size": "landscape", "padding": 60}, "text": {"fit": "slide", "fit_min": 40}},
            "style.text.fit_min",
        ),
    ],
)
def test_composition_settings_are_checked_strictly(document, field):
    with pytest.raises(Invalid) as caught:
        style_validate(document)
    assert caught.value.field == field


def test_fit_and_centre_fill_real_slides_of_every_size(tiny_thread_input):
    for size in ("portrait", "square", "landscape", "story"):
        style = style_validate(
            {"canvas": {"size": size}, "text": {"fit": "slide"}, "card": {"align": "center"}}
        )
        spec = spec_from_style(style, kind="carousel", scale=1)
        for page in lay_out(tiny_thread_input, spec, "carousel")[1:-1]:
            boxes = [box for box in page.boxes if isinstance(box, ImageBox) or box in body(page)]
            top = min(box.y for box in boxes)
            bottom = max(
                box.y + box.height
                if isinstance(box, ImageBox)
                else box.y + (box.size or spec.text_size) * 1.4
                for box in boxes
            )
            _, card_top, _, height = page.card
            assert bottom - card_top > 0.6 * height, (size, page.alt[:40])
            assert top - card_top < height


def box_height(box, text_size: float) -> float:
    return box.height if isinstance(box, ImageBox) else (box.size or text_size) * 1.4


@pytest.fixture
def tiny_thread_input() -> RenderInput:
    posts = (
        PostInfo(f"{prose(4)}\n\n{prose(3, 2)}"),
        PostInfo("One sentence on its own, and nothing more to say."),
        PostInfo(prose(9, 1), (ImageInfo(1200, 800),)),
        PostInfo("\n\n".join(prose(3, n) for n in range(6))),
    )
    return RenderInput(ThreadInfo("Ferries and maps", "Ann Lee", "annlee", posts))


# --- Slide-level control ------------------------------------------------------


def arranged(thread: ThreadInfo, **choices) -> list:
    from rendering.engine.renderer import Arrangement, arrange

    data = arrange(RenderInput(thread), Arrangement(**choices))
    return lay_out_carousel(data.thread, metrics())


def long_thread() -> ThreadInfo:
    posts = (
        PostInfo("An opening post."),
        PostInfo("\n\n".join(prose(3, n) for n in range(14))),
        PostInfo("A closing post."),
    )
    return ThreadInfo("Ferries", "Ann", "ann", posts)


def test_slides_say_what_they_are_and_where_a_break_may_go():
    pages = lay_out_carousel(long_thread(), metrics())

    assert [page.role for page in pages] == ["cover", "post", "post", "post", "post", "end"]
    assert [page.part for page in pages[1:-1]] == [1, 1, 2, 1]
    assert pages[2].starts[0] == 0
    assert pages[3].starts[0] == pages[2].starts[-1] + 1
    assert pages[3].text.startswith(paragraphs(long_thread().posts[1].text)[pages[3].starts[0]])


def test_a_slides_words_can_be_replaced_without_touching_the_post():
    thread = long_thread()
    pages = arranged(thread, slides=((2, 2, "Shorter words of my own.", False),))

    assert [page.text for page in pages[1:-1]][2] == "Shorter words of my own."
    assert pages[3].posts == (2,)
    assert thread.posts[1].text.startswith(SENTENCES[0]), "the post itself is unchanged"


def test_a_slide_can_be_hidden_and_the_numbers_follow():
    pages = arranged(long_thread(), slides=((2, 1, None, True),), end=False)

    assert [page.role for page in pages] == ["cover", "post", "post", "post"]
    numbers = [
        box.line.text
        for page in pages
        for box in page.boxes
        if isinstance(box, TextBox) and box.role == "number"
    ]
    assert numbers == ["1/4", "2/4", "3/4", "4/4"]
    assert pages[2].part == 2


def test_breaks_and_keep_follow_the_threads_own_positions_when_reordered():
    thread = long_thread()
    broken = arranged(thread, posts=(2, 1), breaks=((2, 4),))

    second = [page for page in broken if page.posts == (2,)]
    assert any(page.starts and page.starts[0] == 3 for page in second), "the break before paragraph 4"
    assert broken[-2].posts == (1,), "pages name the thread's own positions"


def test_hiding_every_slide_is_refused_naming_the_carousel():
    from rendering.engine.layout import Unrenderable

    thread = ThreadInfo("T", "Ann", "ann", (PostInfo("Only one."),))
    with pytest.raises(Unrenderable) as caught:
        arranged(thread, slides=((1, 1, None, True),), cover=False, end=False)
    assert caught.value.field == "carousel"


PIECES = st.sampled_from(
    ["a", "b", " ", ".", "?", "!", "\n", "  ", "xyz", ",", "Mr. ", "3.14 ", "\n\n", "word "]
)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.lists(PIECES, max_size=300).map("".join), min_size=1, max_size=4),
    fitted=st.booleans(),
    pack=st.booleans(),
    keep=st.booleans(),
)
def test_any_text_composes_without_loss_or_overflow(texts, fitted, pack, keep):
    posts = tuple(PostInfo(text, keep=keep) for text in texts if text.strip())
    assume(posts)
    changes = {**(FITTED if fitted else {}), "pack": pack}
    pages = lay_out_carousel(ThreadInfo("T", "Ann", "ann", posts), metrics(**changes))[1:-1]

    # Every character in order (a line may break inside a run like "?3.14").
    assert "".join(words(pages)) == "".join("".join(post.text for post in posts).split())
    for page in pages:
        _, top, _, height = page.card
        for box in body(page):
            assert box.y + round((box.size or 32) * 1.4) <= top + height - 32 + 0.5


def test_a_carousel_over_the_page_limit_is_refused_even_without_cover_and_end():
    from rendering.engine.layout import Unrenderable

    posts = tuple(PostInfo(f"Post {n}.") for n in range(12))
    thread = ThreadInfo("T", "Ann", "ann", posts, cover=False, end=False)

    assert len(lay_out_carousel(thread, metrics(max_pages=12))) == 12
    with pytest.raises(Unrenderable) as caught:
        lay_out_carousel(thread, metrics(max_pages=11))
    assert caught.value.field == "kind"
