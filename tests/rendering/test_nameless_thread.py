"""A thread that names no author (a numbered paste: no name, no handle, no
avatar) renders without a "?" avatar, a lone "@" or an end slide that says
"Follow" and nothing after it; a picture-less author gets their initials on
a tinted disc."""

import io
import re

import numpy
import pikepdf
import pytest
from PIL import Image

from rendering.engine.layout import AvatarBox, Page, PostInfo, TextBox, ThreadInfo
from rendering.engine.layout.pieces import initials
from rendering.engine.paint import paint
from rendering.engine.renderer import RenderInput, lay_out, pdf_pages, render
from rendering.engine.spec import spec_from_style
from rendering.engine.vocabulary import KINDS
from threads.importers import import_text
from threads.style import style_validate

POSTS = (PostInfo("1/ The first post of a pasted thread."), PostInfo("2/ And the second one."))
LONE_AT = re.compile(r"@(?!\w)")


def data(name: str = "", handle: str = "", *, avatar: bytes | None = None, end_text: str = "") -> RenderInput:
    return RenderInput(ThreadInfo("A pasted thread", name, handle, POSTS, end_text=end_text), avatar=avatar)


def pages_of(given: RenderInput, kind: str, size: str = "auto") -> list[Page]:
    spec = spec_from_style(style_validate({"canvas": {"size": size}}), kind=kind, scale=1)
    return lay_out(given, spec, kind)


def texts(page: Page) -> list[str]:
    return [box.line.text for box in page.boxes if isinstance(box, TextBox)]


def avatars(page: Page) -> list[AvatarBox]:
    return [box for box in page.boxes if isinstance(box, AvatarBox)]


def png_bytes(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buffer, "PNG")
    return buffer.getvalue()


# --- Initials ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ann Lee", "AL"),
        ("ann lee", "AL"),
        ("María José García", "MG"),
        ("Santiago", "S"),
        ("山田太郎", "山"),
        ("ליאורה כהן", "ל"),
        ("🎉 Party Person", "🎉"),
        ("ßen Müller", "ß"),
        ("", ""),
        ("   ", ""),
        ("???", ""),
        ("...", ""),
    ],
)
def test_initials_are_up_to_two_letters_and_never_a_question_mark(name, expected):
    assert initials(name) == expected


# --- Layout -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", ["auto", "square"])
def test_no_name_no_handle_no_picture_draws_no_avatar_and_no_at_sign(kind, size):
    for page in pages_of(data(), kind, size):
        assert avatars(page) == []
        assert not any("@" in text or "?" in text for text in texts(page)), texts(page)
        assert "@" not in page.alt
        assert not page.alt.startswith(":")


def test_without_a_header_the_post_starts_at_the_top_of_the_card():
    (first, _) = pages_of(data(), "cards")
    named = pages_of(data("Ann Lee", "annlee"), "cards")[0]

    first_line = next(box for box in first.boxes if isinstance(box, TextBox) and box.role == "body")
    assert first_line.y == pytest.approx(first.card[1] + 16), "no header, and no gap left for one"
    assert first.height < named.height


def test_a_name_alone_gets_its_initials_and_no_handle_row():
    page = pages_of(data("Ann Lee"), "cards")[0]

    assert [box.initials for box in avatars(page)] == ["AL"]
    assert "Ann Lee" in texts(page)
    assert not any(LONE_AT.search(text) for text in texts(page))
    assert page.alt.startswith("Ann Lee: ")


def test_a_handle_alone_gets_its_initial():
    page = pages_of(data(handle="svpino"), "cards")[0]

    assert [box.initials for box in avatars(page)] == ["S"]
    assert any(text.strip("\u2068\u2069") == "@svpino" for text in texts(page)), "an isolate, no more"
    assert page.alt.startswith("@svpino: ")


def test_an_uploaded_avatar_shows_even_without_a_name():
    page = pages_of(data(avatar=png_bytes("#00ff00")), "cards")[0]

    assert [(box.initials, box.diameter > 0) for box in avatars(page)] == [("", True)]


def test_the_cover_alt_names_no_one_when_the_thread_names_no_one():
    cover = pages_of(data(), "carousel")[0]

    assert cover.role == "cover"
    assert cover.alt == "A pasted thread"
    assert pages_of(data("Ann Lee", "annlee"), "carousel")[0].alt == "A pasted thread, by Ann Lee (@annlee)"


# --- The end slide ----------------------------------------------------------------


def end_of(given: RenderInput) -> Page:
    end = pages_of(given, "carousel")[-1]
    assert end.role == "end"
    return end


def end_lines(given: RenderInput) -> list[tuple[str, str]]:
    end = end_of(given)
    return [
        (box.role, box.line.text) for box in end.boxes if isinstance(box, TextBox) and box.role != "footer"
    ]


def test_the_end_slide_of_a_nameless_thread_thanks_the_reader_in_large_type():
    lines = end_lines(data())

    assert [text for role, text in lines if role == "title"] == ["Thanks for reading"]
    assert [role for role, _ in lines if role != "number"] == ["title"], "no line under it"
    assert avatars(end_of(data())) == []
    assert end_of(data()).alt == "Thanks for reading"


def test_the_end_slide_of_a_nameless_thread_says_the_studios_end_line_alone():
    lines = end_lines(data(end_text="See you next week!"))

    assert " ".join(text for role, text in lines if role == "title") == "See you next week!"
    assert "Follow" not in end_of(data(end_text="See you next week!")).text


def test_the_end_slide_follows_the_name_when_there_is_no_handle():
    lines = end_lines(data("Ann Lee"))

    assert ("title", "Follow Ann Lee") in lines
    assert ("subtitle", "for more threads like this.") in lines
    assert [box.initials for box in avatars(end_of(data("Ann Lee")))] == ["AL"]


def test_the_end_slide_follows_the_handle():
    assert ("title", "Follow @annlee") in end_lines(data("Ann Lee", "annlee"))


# --- Painted and exported ------------------------------------------------------------


def test_a_nameless_card_paints_no_disc_where_the_avatar_would_be():
    """The card holds only white and the text's grey ink: no tinted disc."""
    spec = spec_from_style(style_validate({}), kind="cards", scale=1)
    page = lay_out(data(), spec, "cards")[0]
    named = lay_out(data("Ann Lee"), spec, "cards")[0]

    def card_colourfulness(page: Page, author: str) -> int:
        pixels = numpy.asarray(paint(page, spec, {}, None, author)).astype(int)
        x, y, width, height = (round(value) for value in page.card)
        inside = pixels[y + 8 : y + height - 8, x + 8 : x + width - 8]
        return int((inside.max(axis=2) - inside.min(axis=2)).max())

    assert card_colourfulness(named, "Ann Lee") > 100, "the named card's tinted disc"
    assert card_colourfulness(page, "") < 30


def test_a_nameless_carousel_pdf_has_no_at_sign_in_its_text_or_subject():
    style = style_validate({})
    given = data()
    document = render(data=given, style=style, kind="carousel", fmt="pdf")[0].content
    spec = spec_from_style(style, kind="carousel", scale=1)
    pages = lay_out(given, spec, "carousel")

    lines = [line.text for page in pdf_pages(pages, [b""] * len(pages), spec) for line in page.lines]
    with pikepdf.open(io.BytesIO(document)) as pdf:
        subject = str(pdf.docinfo["/Subject"])

    assert "Thanks for reading" in lines
    assert not any("@" in line or line.strip() == "Follow" for line in lines)
    assert "@" not in subject
    assert ", by" not in subject


def test_a_numbered_paste_renders_every_kind_without_a_lone_at_sign():
    imported = import_text("1/ Hello there, this is a numbered thread.\n\n2/ Second post.\n\n3/ Third.")
    given = RenderInput(
        ThreadInfo(
            imported.title,
            imported.author_name,
            imported.handle,
            tuple(PostInfo(p.text) for p in imported.posts),
        )
    )

    assert (imported.author_name, imported.handle) == ("", "")
    for kind in KINDS:
        for page in pages_of(given, kind, "square"):
            assert avatars(page) == []
            assert not any(LONE_AT.search(text) for text in [*texts(page), page.alt])
