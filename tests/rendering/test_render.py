"""The renderer with real fonts: every kind and format, fallback, determinism."""

import io
import json
import os
import zipfile
from pathlib import Path

import pikepdf
import pytest
import unicode_segmentation_rs as segmentation
from PIL import Image, ImageChops, ImageStat

from rendering.adapters import input_from_imported
from rendering.engine.renderer import lay_out, render
from rendering.engine.spec import spec_from_style
from rendering.engine.text import fonts
from rendering.engine.text.runs import split_runs
from threads.importers import import_json, import_text
from threads.style import style_validate

FIXTURES = Path(__file__).resolve().parents[1] / "threads" / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_d0b8afc84c38f9bc.txt"
MULTI_SCRIPT = {
    "title": "Scripts",
    "author": {"name": "Zoë", "handle": "zoe"},
    "posts": [
        {
            "text": "مرحبا بالعالم، نص عربي.\n\nשלום עולם.\n\n天然酵母面包需要耐心。東京タワー。한국어\n\n"
            "नमस्ते दुनिया। สวัสดีชาวโลก\n\n👋🏽 👨‍👩‍👧 🇬🇷 1️⃣ ❤️ ∑ ≤ ∞ → ★"
        },
    ],
}


@pytest.fixture(scope="module")
def marisol():
    return input_from_imported(import_text((FIXTURES / "app_page_marisol.txt").read_text(encoding="utf-8")))


def open_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
@pytest.mark.parametrize("kind", ["cards", "thread", "carousel"])
def test_every_kind_and_image_format_opens_at_its_size(marisol, kind, fmt):
    files = render(data=marisol, style=style_validate({}), kind=kind, fmt=fmt, scale=1)

    expected = {"cards": 5, "thread": 1, "carousel": None}[kind]
    if expected:
        assert len(files) == expected
    for file in files:
        image = open_image(file.content)
        assert image.format == {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt]
        assert image.size == (file.width, file.height)
        assert file.alt
        if kind == "carousel":
            assert image.size == (1080, 1350)
        else:
            assert image.width == 600


def test_carousel_pdf_and_zip(marisol):
    style = style_validate({"canvas": {"size": "square"}})
    pngs = render(data=marisol, style=style, kind="carousel", fmt="png", scale=1)
    document = render(data=marisol, style=style, kind="carousel", fmt="pdf", scale=1)[0]
    archive = render(data=marisol, style=style, kind="carousel", fmt="zip", scale=1)[0]

    pdf = pikepdf.open(io.BytesIO(document.content))
    assert len(pdf.pages) == len(pngs) == document.pages
    assert "Sourdough" in str(pdf.docinfo["/Subject"])
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        names = zipped.namelist()
        index = json.loads(zipped.read("index.json"))
        assert names == [*(entry["file"] for entry in index), "index.json"]
        assert len(index) == len(pngs)
        assert open_image(zipped.read(names[0])).size == (1080, 1080)
    assert [entry["page"] for entry in index] == list(range(1, len(pngs) + 1))
    assert index[0]["posts"] == []
    assert index[-1]["posts"] == []
    assert index[1]["posts"] == [1]
    assert "Sourdough" in index[0]["alt"]


def test_past_99_pages_the_names_still_sort_in_order():
    from rendering.engine.layout import PostInfo, ThreadInfo
    from rendering.engine.renderer import RenderInput

    data = RenderInput(ThreadInfo("Many", "Ana", "ana", tuple(PostInfo(f"Post {n}.") for n in range(1, 121))))
    files = render(data=data, style=style_validate({}), kind="cards", fmt="png")

    names = [file.name for file in files]
    assert names[:2] == ["card-001.png", "card-002.png"]
    assert names[-1] == "card-120.png"
    assert sorted(names) == names
    assert [file.posts for file in files[:3]] == [(1,), (2,), (3,)]


def test_the_uploaders_alt_text_is_read_out_with_the_post():
    from rendering.engine.layout import ImageInfo, PostInfo, ThreadInfo
    from rendering.engine.renderer import RenderInput

    post = PostInfo("Look at this.", (ImageInfo(0, 0, placeholder=True, alt="A loaf cooling on a rack"),))
    data = RenderInput(ThreadInfo("Bread", "Ana", "ana", (post, PostInfo("Bye."))))
    card = render(data=data, style=style_validate({}), kind="cards", fmt="png")[0]
    slides = render(data=data, style=style_validate({}), kind="carousel", fmt="png")

    assert "Image: A loaf cooling on a rack" in card.alt
    assert any("Image: A loaf cooling on a rack" in slide.alt and slide.posts == (1,) for slide in slides)


@pytest.mark.parametrize(
    ("size", "expected"), [("portrait", (1080, 1350)), ("landscape", (1200, 675)), ("story", (1080, 1920))]
)
def test_carousel_sizes_and_scale(marisol, size, expected):
    file = render(
        data=marisol, style=style_validate({"canvas": {"size": size}}), kind="carousel", fmt="jpeg", scale=2
    )[0]

    assert open_image(file.content).size == (expected[0] * 2, expected[1] * 2)


def test_same_input_gives_the_same_bytes(marisol):
    first = render(data=marisol, style=style_validate({}), kind="cards", fmt="png")
    second = render(data=marisol, style=style_validate({}), kind="cards", fmt="png")

    assert [f.content for f in first] == [f.content for f in second]


def test_the_free_plan_always_gets_the_watermark(marisol):
    clean = style_validate({"footer": {"watermark": False}})

    forced = lay_out(
        marisol,
        spec_from_style(clean, kind="cards", scale=1, watermark_forced=True),
        "cards",
    )
    free_of_it = lay_out(marisol, spec_from_style(clean, kind="cards", scale=1), "cards")

    assert any(
        "Generated by Thread Navigator" in getattr(b, "line", None).text
        for b in forced[0].boxes
        if hasattr(b, "line")
    )
    assert not any("Generated by" in b.line.text for b in free_of_it[0].boxes if hasattr(b, "line"))


def test_the_seed_thread_is_an_eleven_slide_carousel():
    if not SEED.exists():
        pytest.skip("the seed page is only beside the project in CI and on the team's machines")
    data = input_from_imported(import_text(SEED.read_text(encoding="utf-8")))

    files = render(data=data, style=style_validate({}), kind="carousel", fmt="png")

    assert len(files) == 11


def test_no_character_of_any_script_falls_to_a_font_without_it():
    text = MULTI_SCRIPT["posts"][0]["text"]

    for run in split_runs(text, "Inter"):
        if run.face is None:
            continue  # colour emoji
        covered = fonts.coverage(run.face)
        for grapheme in segmentation.graphemes(run.text, True):
            for char in grapheme:
                if char.isspace() or char in "\u200d\ufe0e\ufe0f":
                    continue
                assert ord(char) in covered, f"{char!r} ({hex(ord(char))}) drawn with {run.face.path}"


def test_emoji_become_colour_images():
    runs = split_runs("Hi 👋🏽 and 🇬🇷", "Inter")

    assert [run.text for run in runs if run.face is None] == ["👋🏽", "🇬🇷"]


def test_multi_script_card_matches_its_reference():
    """A golden image, compared with a small tolerance (font hinting may move a pixel)."""
    data = input_from_imported(import_json(MULTI_SCRIPT))
    file = render(data=data, style=style_validate({}), kind="cards", fmt="png", scale=1)[0]
    image = open_image(file.content).convert("RGB")
    reference_path = GOLDEN / "multi_script_card.png"
    if os.environ.get("UPDATE_GOLDEN"):
        image.save(reference_path, optimize=True)
    reference = Image.open(reference_path).convert("RGB")

    assert image.size == reference.size
    difference = ImageStat.Stat(ImageChops.difference(image, reference)).mean
    assert max(difference) < 2.0


@pytest.mark.django_db
def test_a_stored_thread_renders_with_its_uploaded_images_and_avatar(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rendering.adapters import input_from_thread
    from tests.factories import png_bytes, thread_with_posts
    from threads.services import post_image_add, thread_set_avatar

    thread = thread_with_posts(alice, "A post with a red picture.")
    post_image_add(
        post=thread.posts.get(), upload=SimpleUploadedFile("r.png", png_bytes(300, 200, "#ff0000"))
    )
    thread = thread_set_avatar(
        thread=thread, upload=SimpleUploadedFile("a.png", png_bytes(64, 64, "#00ff00"))
    )

    data = input_from_thread(thread)
    image = open_image(
        render(data=data, style=style_validate({}), kind="cards", fmt="png")[0].content
    ).convert("RGB")

    assert data.pictures[(0, 0)] is not None
    colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000)}
    assert (255, 0, 0) in colours, "the uploaded image is drawn"
    assert (0, 255, 0) in colours, "the avatar is drawn"


def draw_line(text: str, colour: str, x: float = 10.25) -> Image.Image:
    from rendering.engine.paint import hex_rgba
    from rendering.engine.text import shaping as glyphs

    face = fonts.style_face("Inter")
    image = Image.new("RGB", (800, 60), "white")
    shaped = glyphs.shape(text, face, 24)
    glyphs.draw_run(image, shaped, glyphs.font(face, 24), x, 40, hex_rgba(colour))
    return image


def test_text_from_the_glyph_cache_matches_text_drawn_cold():
    from rendering.engine.text import shaping as glyphs

    glyphs.sized_font.cache_clear()
    cold = draw_line("Kerning: AVAWAY, office", "#111111")
    warm = draw_line("Kerning: AVAWAY, office", "#111111")
    assert ImageChops.difference(cold, warm).getbbox() is None
    assert ImageStat.Stat(cold.convert("L")).extrema[0][0] < 60  # something dark was drawn


def test_text_past_the_edge_is_clipped_and_translucent_text_is_lighter():
    opaque = draw_line("Edges", "#000000", x=-8.5)
    faint = draw_line("Edges", "#00000066", x=-8.5)
    assert ImageStat.Stat(faint.convert("L")).mean[0] > ImageStat.Stat(opaque.convert("L")).mean[0]
    assert ImageStat.Stat(faint.convert("L")).extrema[0][0] > 100


def test_layout_widths_are_the_drawn_widths():
    from rendering.engine.text.runs import measure

    text = "Width, measured once and drawn the same"
    image = draw_line(text, "#000000", x=0)
    _, _, right, _ = ImageChops.invert(image.convert("L")).getbbox()
    assert abs(right - measure(text, "Inter", 24, 400)) < 3


def test_pictures_fill_their_frame_with_cover_and_show_whole_with_contain():
    from rendering.engine.layout import ImageInfo, PostInfo, ThreadInfo
    from rendering.engine.renderer import RenderInput
    from tests.factories import png_bytes

    wide = png_bytes(900, 150, "#ff0000")
    post = PostInfo("Two wide pictures side by side.", (ImageInfo(900, 150), ImageInfo(900, 150)))
    data = RenderInput(ThreadInfo("Fit", "Ana", "ana", (post,)), {(0, 0): wide, (0, 1): wide})

    def red_pixels(fit: str) -> int:
        file = render(data=data, style=style_validate({"images": {"fit": fit}}), kind="cards", fmt="png")[0]
        counts = {colour: count for count, colour in open_image(file.content).convert("RGB").getcolors(10**6)}
        return counts.get((255, 0, 0), 0)

    cover, contain = red_pixels("cover"), red_pixels("contain")
    assert contain > 0
    assert cover > 2 * contain, "contain letterboxes a wide picture in a squarer frame"


def test_an_unknown_image_fit_is_refused_by_name():
    from config.errors import Invalid

    with pytest.raises(Invalid, match=r"style\.images\.fit"):
        style_validate({"images": {"fit": "stretch"}})
