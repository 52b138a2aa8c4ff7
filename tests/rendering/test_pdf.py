"""Carousel PDFs: the text layer read back by poppler in reading order
(right-to-left scripts included), tagging with each slide's alt text,
metadata, lossless page images and identical bytes on every render."""

import difflib
import io
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageChops

from rendering.adapters import input_from_imported
from rendering.engine import outputs
from rendering.engine.layout import ImageInfo, PostInfo, TextBox, ThreadInfo
from rendering.engine.pdf import PdfLine, PdfPage, font
from rendering.engine.pdf.order import LRM, RLM, kind, placement, reads_left_to_right
from rendering.engine.renderer import CHROME_ROLES, RenderInput, lay_out, render
from rendering.engine.spec import spec_from_style
from rendering.engine.text.language import document_language
from tests.conftest import require_service
from threads.importers import import_text
from threads.style import style_validate

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_d0b8afc84c38f9bc.txt"
# What poppler adds around the runs it reversed, and the marks the layer adds.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c" + LRM + RLM))

# Written for these tests: a thread long enough to flow over several slides.
KITCHEN_POSTS = (
    "I have baked bread at home every weekend for three years, and most of what I learned came from "
    "mistakes rather than recipes.",
    "Flour matters less than people say. Water temperature matters more: a dough mixed at twenty-six "
    "degrees rises twice as fast as one mixed cold, and the taste changes with it.",
    "Keep a notebook. Write the time, the temperature of the room and how the dough felt under your "
    "hands. After a month the notebook knows more than any video.",
    "Shaping is a skill of the fingers. The first fifty loaves will look lumpy, and that is fine: they "
    "still taste good and the next fifty will look better.",
    "Bake hotter and longer than feels safe. A dark crust is flavour, not failure, and a pale loaf is "
    "the most common disappointment I see from friends.",
    "Finally, share the bread. Neighbours who get a warm loaf on Sunday mornings forgive a lot of "
    "kitchen noise on Saturday night.",
)
RTL_POSTS = (
    "הכרטיס עולה 120 ₪ (כולל מע״מ) ויש [הערה] קטנה.",
    "נפגשים ב-15:30 עם Daniel ו-Maya בחדר 4.",
    "שָׁלוֹם לְכֻלָּם, זֶה טֶקְסְט מְנֻקָּד.",
    "وصلنا إلى المدينة عام 2019 (في الربيع) وبقينا [ثلاثة] أسابيع!",
    "الرقم ٤٥٦ مكتوب بالأرقام العربية، و 789 بالأرقام الغربية.",
)
WIDE_POSTS = (
    "台所で毎週パンを焼いています。天然酵母面包需要耐心。빵을 굽는 주말.",
    "A family 👨‍👩‍👧 a flag 🇬🇷 a keycap 1️⃣ a heart ❤️ and a wave 👋🏽 in one line.",
    "Accents built by hand: e\u0301te\u0301, nai\u0308ve, an\u0303o, "
    "and Z\u0351\u0352a\u0354\u0355l\u0357g\u0359o\u035a.",
    "नमस्ते, आज रोटी बनाई। தமிழில் ஒரு வரி. ขนมปังอร่อยมาก",
    "Beyond the BMP: 𝕏 𝔸 𝒞 and 𠀋 𠀍 stay whole.",
)


def pdf_of(posts, *, title="Test", author="Ana", handle="ana", images=()) -> bytes:
    thread = ThreadInfo(title, author, handle, tuple(PostInfo(text, images) for text in posts))
    return render(data=RenderInput(thread), style=style_validate({}), kind="carousel", fmt="pdf")[0].content


def pdftotext(document: bytes, *options: str) -> list[str]:
    """Each page's text as poppler extracts it, without its bidi controls."""
    require_service(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, "-", "-"], input=document, capture_output=True, check=True
    ).stdout.decode()
    return [page.translate(BIDI_CONTROLS) for page in output.split("\f")[:-1]]


def words(text: str) -> list[str]:
    return text.split()


def squeezed(text: str) -> str:
    return "".join(text.split())


def recall_in_order(expected: list[str], found: list[str]) -> float:
    """The share of `expected` found in the same order in `found`."""
    if not expected:
        return 1.0
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)


@pytest.fixture(scope="module")
def kitchen() -> RenderInput:
    """The seed thread when it is beside the project, else ours."""
    if SEED.exists():
        return input_from_imported(import_text(SEED.read_text(encoding="utf-8")))
    posts = tuple(PostInfo(text) for text in KITCHEN_POSTS)
    return RenderInput(ThreadInfo("Notes from a small kitchen", "Wren Alder", "wrenbakes", posts))


@pytest.fixture(scope="module")
def kitchen_pdf(kitchen) -> bytes:
    return render(data=kitchen, style=style_validate({}), kind="carousel", fmt="pdf")[0].content


# --- Reading order, against a model of poppler ------------------------------


def poppler_reads(chars: str, left_to_right: bool) -> str:
    """Poppler's reordering of a line whose characters lie left to right as
    `chars`, as `rendering.engine.pdf.order`'s docstring tells it: on a
    left-to-right page each run from an R to the next L or # is reversed;
    on a right-to-left page the line is read from its right end, runs
    without an L or # as they come, runs from an L or # to the next R
    turned back."""
    read: list[str] = []
    if left_to_right:
        at = 0
        while at < len(chars):
            start = at
            while at < len(chars) and kind(chars[at]) != "R":
                at += 1
            read.append(chars[start:at])
            start = at
            while at < len(chars) and kind(chars[at]) not in "L#":
                at += 1
            read.append(chars[start:at][::-1])
        return "".join(read)
    at = len(chars)
    while at > 0:
        end = at
        while at > 0 and kind(chars[at - 1]) not in "L#":
            at -= 1
        read.append(chars[at:end][::-1])
        end = at
        while at > 0 and kind(chars[at - 1]) != "R":
            at -= 1
        read.append(chars[at:end])
    return "".join(read)


@given(st.text(alphabet="ab אבعل12.,-:()[]!?😀\u0301\u05b4", max_size=24), st.booleans())
def test_poppler_gives_back_every_line_in_logical_order(text, left_to_right):
    placed = placement(text, left_to_right)

    assert poppler_reads(placed.chars, left_to_right).translate(BIDI_CONTROLS) == text


@given(st.text(alphabet="ab אב12.,()", max_size=24), st.booleans())
def test_runs_cover_each_character_once(text, left_to_right):
    placed = placement(text, left_to_right)

    covered = [index for start, stop in placed.runs for index in range(start, stop)]
    assert sorted(covered) == list(range(len(placed.chars)))


def test_a_left_to_right_line_is_written_in_one_run():
    assert placement("Plain words, 42 of them.", True).runs == ((0, 24),)


def test_right_to_left_words_are_written_in_reading_order():
    placed = placement("אחת שתיים שלוש", False)

    written = [placed.chars[start:stop].strip()[::-1] for start, stop in placed.runs]
    assert written == ["אחת", "שתיים", "שלוש"]


def test_a_page_reads_right_to_left_when_its_right_to_left_letters_outnumber_the_others():
    assert reads_left_to_right(["abc", "אב"])
    assert reads_left_to_right(["ab", "אב"])
    assert not reads_left_to_right(["ab 12345", "אבג"])


# --- Document language -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bread on Sundays", "en"),
        ("לחם טרי בשבת בבוקר, with tea", "he"),
        ("خبز يوم الجمعة", "ar"),
        ("빵을 굽는 주말", "ko"),
        ("パンを焼く週末", "ja"),
        ("周末烤面包", "zh-Hans"),
        ("週末烤麵包", "zh-Hant"),
        ("Хлеб по выходным", "ru"),
        ("Ψωμί την Κυριακή", "el"),
        ("रविवार की रोटी", "hi"),
        ("ขนมปังวันอาทิตย์", "th"),
        ("😀 👍 123", "und"),
    ],
)
def test_the_document_language_is_guessed_from_the_main_script(text, language):
    assert document_language(text) == language


# --- The font -----------------------------------------------------------------


def test_the_glyphless_font_is_a_valid_font_and_the_same_every_time():
    program = font.glyphless_font()
    parsed = TTFont(io.BytesIO(program))

    assert parsed.getGlyphOrder() == [".notdef", "blank"]
    assert parsed["head"].created == parsed["head"].modified == font.FONT_TIME
    font.glyphless_font.cache_clear()
    assert font.glyphless_font() == program


def test_astral_characters_map_to_surrogate_pairs():
    owners = font.characters(font.assign_cids(["a😀"]))

    cmap = font.to_unicode(owners).decode()
    assert "<0001> <0061>" in cmap
    assert "<0002> <D83DDE00>" in cmap


# --- What poppler extracts ------------------------------------------------------


def test_every_slide_reads_in_order(kitchen, kitchen_pdf):
    spec = spec_from_style(style_validate({}), kind="carousel", scale=1)
    pages = lay_out(kitchen, spec, "carousel")
    extracted = pdftotext(kitchen_pdf)

    assert len(extracted) == len(pages) > 2
    for page, text in zip(pages, extracted, strict=True):
        lines = [
            box.line.text for box in page.boxes if isinstance(box, TextBox) and box.role not in CHROME_ROLES
        ]
        expected = words(" ".join(lines).replace("\u2068", "").replace("\u2069", ""))
        assert recall_in_order(expected, words(text)) >= 0.95


def test_the_slide_number_and_watermark_stay_out_of_the_text(kitchen_pdf):
    extracted = pdftotext(kitchen_pdf)

    assert not any("Generated by" in text or re.search(r"\b\d+/\d+\b", text) for text in extracted)


def test_right_to_left_slides_read_in_logical_order():
    """Numbers, brackets, Latin names and points included, as typed."""
    document = pdf_of(RTL_POSTS, title="כרטיסים", author="נועה", handle="noa")

    text = " ".join(words(" ".join(pdftotext(document))))
    for post in RTL_POSTS:
        assert post in text


def test_right_to_left_words_keep_their_order_in_raw_mode():
    """`-raw` reads in content order and undoes one word's runs at a time:
    each word of letters comes in reading order (a punctuation mark may
    end up on the other side of its word)."""
    document = pdf_of(RTL_POSTS, title="כרטיסים", author="נועה", handle="noa")

    found = words(" ".join(pdftotext(document, "-raw")))
    for post in RTL_POSTS:
        plain = [word for word in words(post) if word.isalpha()]
        assert recall_in_order(plain, found) == 1.0


def test_a_right_to_left_word_on_a_left_to_right_page_keeps_its_place():
    post = "We baked חלה and פיתה for 12 friends (and [two] dogs)."
    document = pdf_of([post])

    for text in (pdftotext(document), pdftotext(document, "-raw")):
        assert post in " ".join(words(" ".join(text)))


def test_wide_scripts_emoji_and_combining_marks_survive():
    document = pdf_of(WIDE_POSTS)

    text = squeezed(" ".join(pdftotext(document)))
    for post in WIDE_POSTS:
        assert squeezed(post) in text


# --- Structure, metadata, bytes ----------------------------------------------------


def test_two_renders_are_byte_identical(kitchen, kitchen_pdf):
    again = render(data=kitchen, style=style_validate({}), kind="carousel", fmt="pdf")[0].content

    assert again == kitchen_pdf


def test_language_title_and_tagging():
    picture = ImageInfo(0, 0, placeholder=True, alt="A braided loaf on a wooden board")
    document = pikepdf.open(
        io.BytesIO(
            pdf_of(["שבת שלום לכולם, הלחם מוכן.", "ועוד מילה."], title="לחם של שבת", images=(picture,))
        )
    )

    assert str(document.Root.Lang) == "he"
    assert str(document.docinfo.Title) == "לחם של שבת"
    assert document.open_metadata()["dc:title"] == "לחם של שבת"
    assert document.Root.ViewerPreferences.DisplayDocTitle is True
    assert document.Root.MarkInfo.Marked is True
    figures = list(document.Root.StructTreeRoot.K[0].K)
    assert len(figures) == len(document.pages)
    assert all(
        figure.S == "/Figure" and figure.Pg.objgen == page.objgen
        for figure, page in zip(figures, document.pages, strict=True)
    )
    alts = [str(figure.Alt) for figure in figures]
    assert any("הלחם מוכן" in alt and "Image: A braided loaf on a wooden board" in alt for alt in alts)
    parents = dict(
        zip(
            document.Root.StructTreeRoot.ParentTree.Nums[::2],
            document.Root.StructTreeRoot.ParentTree.Nums[1::2],
            strict=True,
        )
    )
    for number, page in enumerate(document.pages):
        assert page.StructParents == number
        assert all(parent.objgen == figures[number].objgen for parent in parents[number])


def png_rows(png: bytes) -> bytes:
    """The PNG's compressed rows: its IDAT chunks' data, joined."""
    rows, at = [], 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        if kind == b"IDAT":
            rows.append(png[at + 8 : at + 8 + length])
        at += 12 + length
    return b"".join(rows)


def test_page_images_keep_the_png_pixels_and_bytes(kitchen, kitchen_pdf):
    pngs = render(data=kitchen, style=style_validate({}), kind="carousel", fmt="png")
    document = pikepdf.open(io.BytesIO(kitchen_pdf))

    for png, page in zip(pngs, document.pages, strict=True):
        stream = page.Resources.XObject.Slide
        assert stream.read_raw_bytes() == png_rows(png.content)
        shown = pikepdf.PdfImage(stream).as_pil_image()
        assert not ImageChops.difference(shown, Image.open(io.BytesIO(png.content))).getbbox()


def test_an_image_with_transparency_keeps_its_pixels_under_a_soft_mask():
    """PNG data a PDF cannot take as it is (here RGBA) is decoded and
    stored losslessly, its alpha as a soft mask."""
    original = Image.new("RGBA", (40, 30), (200, 40, 90, 255))
    original.paste((10, 120, 250, 70), (5, 5, 25, 20))
    buffer = io.BytesIO()
    original.save(buffer, "PNG")
    page = PdfPage(buffer.getvalue(), 40, 30, (PdfLine(4, 20, 30, 12, "Tinted"),), "A tinted square")

    opened = pikepdf.open(io.BytesIO(outputs.pdf([page], title="Tint", subject="", language="en")))
    stream = opened.pages[0].Resources.XObject.Slide
    assert pikepdf.PdfImage(stream.SMask).as_pil_image().tobytes() == original.getchannel("A").tobytes()
    assert pikepdf.PdfImage(stream).as_pil_image().tobytes() == original.tobytes()
