"""Layout alone, with a fixed-width fake measure: 10 px per grapheme."""

import unicode_segmentation_rs as segmentation

from rendering.engine.layout import (
    ImageBox,
    ImageInfo,
    Metrics,
    PostInfo,
    TextBox,
    ThreadInfo,
    lay_out_cards,
    lay_out_carousel,
    lay_out_thread,
    wrap,
)


def fake(text: str) -> float:
    return 10.0 * len(segmentation.graphemes(text, True))


def metrics(width=600, height=None, **changes) -> Metrics:
    roles = dict.fromkeys(("body", "name", "handle", "title", "subtitle", "footer", "number"), fake)
    values: dict = {
        "width": width,
        "height": height,
        "padding": 40,
        "card_padding": 20,
        "radius": 30,
        "body_size": 16,
        "line_height": 24,
        "measure": roles,
    }
    values.update(changes)
    return Metrics(**values)


def texts(lines):
    return [line.text for line in lines]


def test_words_wrap_at_spaces():
    assert texts(wrap("aaa bbb ccc ddd", 80, fake)) == ["aaa bbb", "ccc ddd"]


def test_cjk_breaks_between_characters_but_not_before_closing_punctuation():
    lines = texts(wrap("天然酵母面包需要耐心。好", 50, fake))

    assert lines[0] == "天然酵母面"
    assert all(not line.startswith("。") for line in lines)
    assert "".join(lines) == "天然酵母面包需要耐心。好"


def test_long_words_and_urls_are_cut_to_fit():
    lines = wrap("see https://example.com/" + "x" * 40, 100, fake)

    assert all(line.width <= 100 for line in lines)
    assert "".join(line.text for line in lines).replace(" ", "") == "seehttps://example.com/" + "x" * 40


def test_graphemes_are_never_split():
    lines = wrap("👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧", 15, fake)

    assert texts(lines) == ["👨‍👩‍👧"] * 3


def test_rtl_paragraphs_are_marked_for_right_alignment():
    assert wrap("שלום עולם", 500, fake)[0].rtl is True
    assert wrap("مرحبا hello", 500, fake)[0].rtl is True
    assert wrap("hello مرحبا", 500, fake)[0].rtl is False


def test_rtl_lines_are_aligned_right_in_their_column():
    thread = ThreadInfo("t", "A", "a", (PostInfo("שלום"),))
    page = lay_out_cards(thread, metrics())[0]

    body = next(box for box in page.boxes if isinstance(box, TextBox) and box.role == "body")
    assert body.line.rtl
    assert body.width == 600 - 2 * (40 + 20)


def sample_thread(*texts_, images=()):
    return ThreadInfo("A title", "Ann", "ann", tuple(PostInfo(text, images) for text in texts_))


def test_a_card_is_as_tall_as_its_content():
    short = lay_out_cards(sample_thread("one line"), metrics())[0]
    long = lay_out_cards(sample_thread("word " * 200), metrics())[0]

    assert long.height > short.height
    last_line = max(box.y for box in long.boxes if isinstance(box, TextBox) and box.role == "body")
    assert last_line + 24 <= long.card[1] + long.card[3]


def test_thread_image_holds_every_post_in_one_card():
    pages = lay_out_thread(sample_thread("first", "second", "third"), metrics())

    assert len(pages) == 1
    assert [b.line.text for b in pages[0].boxes if isinstance(b, TextBox) and b.role == "body"] == [
        "first",
        "second",
        "third",
    ]


def test_carousel_has_cover_posts_and_end():
    pages = lay_out_carousel(sample_thread("one", "two", "three"), metrics(1080, 1350))

    assert len(pages) == 5
    numbers = [b.line.text for p in pages for b in p.boxes if isinstance(b, TextBox) and b.role == "number"]
    assert numbers == ["1/5", "2/5", "3/5", "4/5", "5/5"]


def test_text_that_does_not_fit_flows_to_the_next_slide_without_loss():
    text = "\n\n".join(f"Paragraph {n} " + "word " * 30 for n in range(40))
    pages = lay_out_carousel(sample_thread(text), metrics(1080, 1350))

    assert len(pages) > 3
    body = [b for p in pages[1:-1] for b in p.boxes if isinstance(b, TextBox) and b.role == "body"]
    assert " ".join(b.line.text for b in body).split() == text.split()
    for page in pages[1:-1]:
        for box in page.boxes:
            if isinstance(box, TextBox) and box.role == "body":
                assert box.y + 24 <= page.card[1] + page.card[3], "never clipped by the card"


def test_images_are_placed_in_a_grid():
    four = tuple(ImageInfo(800, 600) for _ in range(4))
    page = lay_out_cards(sample_thread("pics", images=four), metrics())[0]

    images = [b for b in page.boxes if isinstance(b, ImageBox)]
    assert len(images) == 4
    assert len({(round(b.x), round(b.y)) for b in images}) == 4
    assert all(b.x + b.width <= 600 - 60 + 0.5 for b in images)


def test_the_watermark_is_in_the_footer_when_asked():
    with_mark = lay_out_cards(sample_thread("x"), metrics())[0]
    without = lay_out_cards(sample_thread("x"), metrics(watermark=False, slide_numbers=False))[0]

    assert any(isinstance(b, TextBox) and b.role == "footer" for b in with_mark.boxes)
    assert not any(isinstance(b, TextBox) and b.role == "footer" for b in without.boxes)
