"""Carousel Studio's slide-level control in a real browser: a slide's own
words, manual breaks, hidden slides, undo and redo, each saved with the
thread (its `arrangement`) and used by the export."""

import re
import shutil
import subprocess

import pikepdf
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in
from threads.models import Thread

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "\n\n".join(
    f"Paragraph {n}. The tide came in slowly and the boats rose with it, one by one, until the harbour "
    "looked like a different place altogether."
    for n in range(1, 13)
)
OWN_WORDS = "Lighthouse keepers wave at dawn."
# A long thread's strip renders page by page, one preview after another.
RENDERED = 20_000


@pytest.fixture
def studio(page: Page, live_server) -> Thread:
    user = UserFactory(email="slides@example.com")
    thread = thread_with_posts(user, "Opening words.", LONG, "Closing words.", title="Harbour")
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/threads/{thread.pk}/studio/")
    expect(page.locator("[data-count]")).to_have_text(re.compile(r"^\d+ slides$"), timeout=RENDERED)
    return thread


def thumb(page: Page, shows: str) -> Locator:
    """The strip's button for the slide whose label ends with `shows`."""
    return page.get_by_role("button", name=re.compile(rf"^Slide \d+ of \d+: {re.escape(shows)}$"))


def slide_count(page: Page) -> int:
    return int(page.locator("[data-count]").inner_text().split()[0])


def expect_count(page: Page, count: int) -> None:
    expect(page.locator("[data-count]")).to_have_text(f"{count} slides", timeout=RENDERED)


def saved(page: Page, thread: Thread) -> dict:
    """The arrangement in the database once the Studio says it saved."""
    expect(page.locator("[data-save]")).to_have_text("Saved", timeout=RENDERED)
    thread.refresh_from_db()
    return thread.arrangement


def use_words(page: Page, words: str) -> dict:
    """Give the selected slide `words`; the slides the strip was redrawn from."""
    page.get_by_label("Words on this slide").fill(words)
    with page.expect_response(
        lambda response: "/render/slides/" in response.url, timeout=RENDERED
    ) as rendered:
        page.get_by_role("button", name="Use these words").click()
    return rendered.value.json()


def test_a_slides_own_words_show_in_the_strip_and_are_saved(page: Page, studio: Thread, tmp_path):
    thumb(page, "post 2, part 2").click()
    expect(page.locator("[data-slide-what]")).to_contain_text("post 2, part 2.")
    original = page.get_by_label("Words on this slide").input_value()
    assert original.startswith("Paragraph ")

    found = use_words(page, OWN_WORDS)

    edited = [slide for slide in found["slides"] if slide["posts"] == [2] and slide["slide"] == 2]
    assert [slide["text"] for slide in edited] == [OWN_WORDS]
    expect(thumb(page, "post 2, part 2, your words")).to_have_attribute(
        "aria-current", "true", timeout=RENDERED
    )
    expect(page.get_by_label("Words on this slide")).to_have_value(OWN_WORDS)
    assert saved(page, studio)["slides"] == [{"post": 2, "slide": 2, "text": OWN_WORDS}]
    assert studio.posts.get(position=2).text == LONG, "the post itself is unchanged"
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=tmp_path / f"slide-control-{width}.png", full_page=width < 800)

    page.get_by_role("button", name="Back to the post's words").click()
    expect(page.get_by_label("Words on this slide")).to_have_value(original, timeout=RENDERED)
    assert saved(page, studio)["slides"] == []


def test_a_break_adds_a_slide_and_joining_takes_it_away(page: Page, studio: Thread):
    before = slide_count(page)
    thumb(page, "post 2, part 1").click()
    split = page.get_by_role("button", name=re.compile(r"^New slide from paragraph \d+")).first
    paragraph = int(re.search(r"paragraph (\d+)", split.inner_text()).group(1))

    split.click()

    expect_count(page, before + 1)
    assert saved(page, studio)["breaks"] == [{"post": 2, "paragraph": paragraph}]
    thumb(page, "post 2, part 2").click()
    expect(page.get_by_label("Words on this slide")).to_have_value(re.compile(rf"^Paragraph {paragraph}\. "))

    page.get_by_role("button", name="Join with the slide before").click()

    expect_count(page, before)
    assert saved(page, studio)["breaks"] == []
    expect(thumb(page, "post 2, part 1")).to_have_attribute("aria-current", "true")


def test_hide_a_slide_then_show_it_again(page: Page, studio: Thread):
    before = slide_count(page)
    thumb(page, "post 2, part 2").click()

    page.get_by_role("button", name="Hide this slide").click()

    expect_count(page, before - 1)
    expect(thumb(page, "post 2, part 2")).to_have_count(0)
    assert saved(page, studio)["slides"] == [{"post": 2, "slide": 2, "hidden": True}]

    page.get_by_role("button", name="Show post 2, part 2").click()

    expect_count(page, before)
    expect(thumb(page, "post 2, part 2")).to_have_attribute("aria-current", "true")
    assert saved(page, studio)["slides"] == []


def test_the_cover_and_end_slides_can_be_left_out(page: Page, studio: Thread):
    before = slide_count(page)

    page.get_by_label("Show the end slide").uncheck()

    expect_count(page, before - 1)
    assert saved(page, studio)["end"] is False
    expect(page.get_by_role("listitem", name=f"Slide {before - 1} of {before - 1}")).to_be_visible()


def test_undo_and_redo_with_the_keyboard_restore_what_is_saved(page: Page, studio: Thread):
    thumb(page, "post 2, part 2").click()
    use_words(page, OWN_WORDS)
    assert saved(page, studio)["slides"] == [{"post": 2, "slide": 2, "text": OWN_WORDS}]
    page.get_by_label("End slide line").fill("See you on Friday.")
    assert saved(page, studio)["end_text"] == "See you on Friday."
    thumb(page, "post 2, part 3").click()
    page.get_by_role("button", name="Hide this slide").click()
    both = [{"post": 2, "slide": 2, "text": OWN_WORDS}, {"post": 2, "slide": 3, "hidden": True}]
    assert saved(page, studio)["slides"] == both

    page.get_by_role("heading", name="This slide").focus()  # not a text field: the Studio's undo
    page.keyboard.press("Control+z")
    assert saved(page, studio)["slides"] == both[:1]
    expect(thumb(page, "post 2, part 3")).to_have_attribute("aria-current", "true")  # selected again
    page.keyboard.press("Control+z")
    arrangement = saved(page, studio)
    assert (arrangement["slides"], arrangement["end_text"]) == (both[:1], "")
    expect(page.get_by_label("End slide line")).to_have_value("")

    page.keyboard.press("Control+Shift+z")
    assert saved(page, studio)["end_text"] == "See you on Friday."
    expect(page.get_by_label("End slide line")).to_have_value("See you on Friday.")
    expect(page.get_by_role("button", name="Redo")).to_be_enabled()

    page.reload()
    expect(thumb(page, "post 2, part 2, your words")).to_be_visible(timeout=RENDERED)
    expect(page.get_by_label("End slide line")).to_have_value("See you on Friday.")
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()


def test_typing_in_a_text_field_keeps_the_browsers_own_undo(page: Page, studio: Thread):
    page.get_by_label("End slide line").fill("One line.")
    assert saved(page, studio)["end_text"] == "One line."
    thumb(page, "post 2, part 1").click()
    words = page.get_by_label("Words on this slide")
    words.press("End")
    words.press_sequentially(" More.")

    words.press("Control+z")

    expect(page.get_by_label("End slide line")).to_have_value("One line.")
    expect(words).not_to_have_value(re.compile(r" More\.$"))


def test_a_refused_save_names_the_problem(page: Page, studio: Thread):
    page.get_by_role("checkbox", name="1. Opening words.").uncheck()
    assert saved(page, studio)["posts"] == [2, 3]
    studio.posts.get(position=3).delete()  # meanwhile, elsewhere

    page.get_by_label("End slide line").fill("Bye.")

    expect(page.locator("[data-save]")).to_have_text(
        re.compile(r"^Not saved: .*arrangement\.posts\[1\]"), timeout=RENDERED
    )
    studio.refresh_from_db()
    assert studio.arrangement["end_text"] == ""


def test_every_post_in_order_is_saved_as_no_choice_so_new_posts_show(page: Page, studio: Thread):
    page.get_by_label("End slide line").fill("See you.")

    arrangement = saved(page, studio)

    assert arrangement["posts"] == []
    assert arrangement["end_text"] == "See you."


def test_a_packed_slide_offers_each_post_its_own(page: Page, live_server):
    user = UserFactory(email="packed@example.com")
    thread = thread_with_posts(user, "Alpha.", "Bravo.", "Charlie.", title="Packed")
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/threads/{thread.pk}/studio/")
    page.get_by_label("Short posts share a slide").check()
    expect_count(page, 3)

    thumb(page, "posts 1, 2 and 3").click()
    expect(page.get_by_label("Words on this slide")).to_have_count(0)
    page.get_by_role("button", name="Give each post its own slide").click()

    expect_count(page, 5)
    expect(page.get_by_label("Words on this slide")).to_have_value("Alpha.")


def test_an_export_after_edits_has_the_edited_words(page: Page, studio: Thread, cluster):
    cluster()
    thumb(page, "post 2, part 2").click()
    use_words(page, OWN_WORDS)
    thumb(page, "post 2, part 3").click()
    hidden = re.findall(r"Paragraph \d+\.", page.get_by_label("Words on this slide").input_value())
    assert hidden, "paragraphs begin on the slide hidden"
    page.get_by_role("button", name="Hide this slide").click()
    expect(thumb(page, "post 2, part 3")).to_have_count(0, timeout=RENDERED)
    pages = slide_count(page)

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download PDF").click()

    path = download.value.path()
    assert len(pikepdf.open(path).pages) == pages
    text = pdf_text(path)
    assert OWN_WORDS in text
    assert not [words for words in hidden if words in text]
    assert "Closing words." in text


def pdf_text(path) -> str:
    """The PDF's text layer (pdftotext), else the words in its Subject."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
        return " ".join(done.stdout.split())
    return str(pikepdf.open(path).docinfo["/Subject"])
