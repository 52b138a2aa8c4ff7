"""Nothing overflows: names, handles, titles and footers fitted to their
boxes, the RTL header mirrored, and styles with no room refused before any
wrapping. Layout alone, with a fixed-width fake measure (10 px a grapheme
at 16 px, scaling with the size)."""

import pytest
import unicode_segmentation_rs as segmentation

from rendering.engine.layout import (
    AvatarBox,
    Metrics,
    PostInfo,
    TextBox,
    ThreadInfo,
    Unrenderable,
    is_blank,
    lay_out_cards,
    lay_out_carousel,
    lay_out_thread,
)

ELLIPSIS = "\u2026"


def fake(text: str) -> float:
    return 10.0 * len(segmentation.graphemes(text, True))


def metrics(width=1080, height=1350, **changes) -> Metrics:
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
    }
    values.update(changes)
    return Metrics(**values)


def thread(name="Ann Lee", handle="ann", title="A short title", posts=("Hello there",)) -> ThreadInfo:
    return ThreadInfo(title, name, handle, tuple(PostInfo(text) for text in posts))


def text_boxes(page, role=None):
    return [b for b in page.boxes if isinstance(b, TextBox) and (role is None or b.role == role)]


def right_edge(box: TextBox) -> float:
    return box.x + box.width if box.line.rtl else box.x + box.line.width


def left_edge(box: TextBox) -> float:
    return box.x + box.width - box.line.width if box.line.rtl else box.x


def inside_card(page) -> bool:
    x, y, width, height = page.card
    for box in text_boxes(page):
        if box.role in ("footer", "number"):
            continue
        if left_edge(box) < x - 0.5 or right_edge(box) > x + width + 0.5 or box.y < y or box.y > y + height:
            return False
    return True


def test_a_long_name_and_handle_end_in_an_ellipsis_inside_the_card():
    long = thread(name="Maximiliana Alexandra Konstantinopoulou-Van Der Berg " * 2, handle="h" * 30)
    for page in lay_out_carousel(long, metrics()):
        assert inside_card(page)
    name = text_boxes(lay_out_carousel(long, metrics())[1], "name")[0]
    assert name.line.text.endswith(ELLIPSIS)
    assert name.line.width <= name.width


def test_a_right_to_left_name_mirrors_the_header():
    page = lay_out_cards(thread(name="ליאורה כהן", handle="liora"), metrics(width=600, height=None))[0]
    avatar = next(b for b in page.boxes if isinstance(b, AvatarBox))
    name = text_boxes(page, "name")[0]
    handle = text_boxes(page, "handle")[0]

    x, _, width, _ = page.card
    assert avatar.x + avatar.diameter == pytest.approx(x + width - 32), "the avatar sits at the right"
    assert name.line.rtl
    assert right_edge(name) <= avatar.x, "the name is aligned to the avatar's left"
    assert avatar.x - right_edge(name) < 40, "right beside the avatar, not across the card"
    assert handle.line.text == "\u2068@liora\u2069", "the handle is an isolate"


def test_a_cover_title_of_two_hundred_characters_shrinks_and_keeps_the_author_on_the_slide():
    title = "An unusually long title that goes on and on about many things " * 4
    for size in ((1080, 1350), (1080, 1080), (1200, 675)):
        cover = lay_out_carousel(thread(title=title[:200]), metrics(*size))[0]
        titles = text_boxes(cover, "title")
        name = text_boxes(cover, "name")[0]
        _, y, _, height = cover.card

        assert inside_card(cover), size
        assert titles[-1].y < name.y, size
        assert name.y + 32 * 1.35 <= y + height, f"the author stays on the {size} slide"
        assert all(box.size is not None and box.size <= 70 for box in titles)


def test_a_title_too_long_even_when_shrunk_ends_in_an_ellipsis():
    cover = lay_out_carousel(thread(title="word " * 400), metrics(1200, 675))[0]
    titles = text_boxes(cover, "title")

    assert titles[-1].line.text.endswith(ELLIPSIS)
    assert inside_card(cover)


def test_the_watermark_and_the_slide_number_never_overlap():
    for width in (1080, 700, 640):
        for page in lay_out_carousel(thread(), metrics(width=width, padding=8)):
            mark = text_boxes(page, "footer")[0]
            number = text_boxes(page, "number")[0]
            assert mark.x + mark.line.width < number.x, width
            assert mark.x >= 0
            assert number.x + number.line.width <= width


def test_blank_posts_are_skipped_not_drawn_as_empty_cards():
    posts = ("First", "   \n\t ", "\u200b\u2060 ", "Last")

    assert len(lay_out_cards(thread(posts=posts), metrics(width=600, height=None))) == 2
    assert len(lay_out_carousel(thread(posts=posts), metrics())) == 4
    with pytest.raises(Unrenderable) as refused:
        lay_out_thread(thread(posts=(" ", "\n")), metrics(width=600, height=None))
    assert refused.value.field == "posts"


def test_blank_means_nothing_visible():
    assert is_blank("  \n\u3000\u200b\ufeff")
    assert not is_blank(" a ")
    assert not is_blank("😀")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"padding": 570}, "style.canvas.padding"),
        ({"card_padding": 400}, "style.card.padding"),
        ({"body_size": 200, "line_height": 280}, "style.text.size"),
    ],
)
def test_a_style_with_no_text_column_is_refused_not_looped(changes, field):
    with pytest.raises(Unrenderable) as refused:
        lay_out_carousel(thread(), metrics(**changes))

    assert refused.value.field == field
    assert "px" in refused.value.message


def test_a_slide_with_no_room_under_the_header_is_refused():
    with pytest.raises(Unrenderable) as refused:
        lay_out_carousel(
            thread(), metrics(height=540, padding=40, card_padding=16, body_size=60, line_height=84)
        )

    assert refused.value.field == "style.text.size"
    assert "room under the header" in refused.value.message
