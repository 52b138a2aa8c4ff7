"""The editor as a tool people come back to, in a real Chromium: one kind
for the preview and the export, sizes labelled with their pixels, the style
kept with the thread across reloads and devices, undo and redo, a warning
before unsaved preset changes are left, the last preset remembered, the
studio starting from the editor's style, copying the image, the shortcut
sheet, the Author panel and repeated quick-exports."""

import io
import json
import re
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from rendering.models import Job
from tests.factories import UserFactory, png_bytes, thread_with_posts
from tests.frontend.test_browser_editor import PREVIEWS, capture_previews, preview_after, slide
from tests.frontend.test_browser_exports import sign_in
from threads.models import StylePreset, Thread
from threads.style import default_style

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(tempfile.gettempdir())

CLIPBOARD_PNG = """
async () => {
  const [item] = await navigator.clipboard.read();
  const blob = await item.getType("image/png");
  return Array.from(new Uint8Array(await blob.arrayBuffer()));
}
"""


def open_editor(page: Page, base: str, thread) -> None:
    page.goto(f"{base}/threads/{thread.pk}/editor/")
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile("^blob:"))


def draft_saved(page: Page):
    """Waits for the next draft save (PATCH of the thread) to be answered."""
    return page.expect_response(
        lambda response: (
            response.request.method == "PATCH" and re.search(r"/api/v1/threads/\d+/$", response.url)
        )
    )


@pytest.fixture
def designer(page: Page, live_server):
    user = UserFactory(email="designer@example.com")
    thread = thread_with_posts(user, "A first post to style.", "A second one.", title="Styled")
    sign_in(page, live_server.url, user.email)
    capture_previews(page)
    open_editor(page, live_server.url, thread)
    yield {"user": user, "thread": thread, "base": live_server.url}
    PREVIEWS.pop(page, None)


def size_options(page: Page) -> list[str]:
    return page.locator("#size option").all_inner_texts()


def test_one_kind_picks_the_preview_and_the_export(page: Page, designer):
    carousel = preview_after(page, lambda: page.get_by_role("radio", name="Carousel").check())
    assert Image.open(io.BytesIO(carousel)).size == (540, 675)  # drawn at display size (issue 15)
    expect(page.get_by_role("button", name="Export carousel")).to_be_visible()
    assert size_options(page) == [
        "Portrait · 1080 × 1350 px",
        "Square · 1080 × 1080 px",
        "Landscape · 1200 × 675 px",
        "Story · 1080 × 1920 px",
    ]
    expect(page.locator("#size")).to_have_value("portrait")

    thread_image = preview_after(page, lambda: page.get_by_role("radio", name="Thread image").check())
    assert Image.open(io.BytesIO(thread_image)).size[0] == 600
    expect(page.locator("#size")).to_be_disabled()
    assert size_options(page) == ["Auto height · 600 px wide"]
    expect(page.locator('[data-export-format] option[value="pdf"]')).to_be_disabled()

    page.get_by_role("radio", name="Carousel").check()
    page.get_by_label("Format").select_option("pdf")
    with page.expect_response(lambda response: response.url.endswith("/api/v1/jobs/")):
        page.get_by_role("button", name="Export carousel").click()
    job = Job.objects.get()
    assert (job.kind, job.format) == ("carousel", "pdf")
    page.reload()
    expect(page.get_by_role("radio", name="Carousel")).to_be_checked()


def test_size_labels_show_the_pixels_at_each_scale(page: Page, designer):
    assert size_options(page) == [
        "Auto height · 600 px wide",
        "Square · 1080 × 1080 px",
        "Portrait · 1080 × 1350 px",
    ]
    square = preview_after(page, lambda: page.get_by_label("Canvas size").select_option("square"))
    # Drawn at the scale the screen shows it (a fraction of 1080 here).
    width, height = Image.open(io.BytesIO(square)).size
    assert width == height
    assert width in (540, 810, 1080)

    page.get_by_label("Scale").select_option("2")
    assert size_options(page) == [
        "Auto height · 1200 px wide",
        "Square · 2160 × 2160 px",
        "Portrait · 2160 × 2700 px",
    ]
    # The free plan goes to 2×: 3× is there, for Pro.
    expect(page.locator('[data-export-scale] option[value="3"]')).to_be_disabled()
    expect(page.locator('[data-export-scale] option[value="3"]')).to_have_text("3× · Pro")


def test_the_draft_survives_a_reload_and_reaches_another_device(page: Page, designer, browser: Browser):
    with draft_saved(page):
        slide(page, "#font-size", "22")
        page.get_by_label("Font", exact=True).select_option("Lora")
    thread = Thread.objects.get(pk=designer["thread"].pk)
    assert (thread.style_draft["text"]["size"], thread.style_draft["text"]["font"]) == (22, "Lora")

    page.reload()
    expect(page.locator("#font-size")).to_have_value("22")
    expect(page.get_by_label("Font", exact=True)).to_have_value("Lora")

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        laptop = other.new_page()
        sign_in(laptop, designer["base"], designer["user"].email)
        open_editor(laptop, designer["base"], designer["thread"])
        expect(laptop.locator("#font-size")).to_have_value("22")
        expect(laptop.get_by_label("Font", exact=True)).to_have_value("Lora")
    finally:
        other.close()


def test_undo_and_redo_with_keys_and_buttons(page: Page, designer):
    undo = page.get_by_role("button", name="Undo")
    redo = page.get_by_role("button", name="Redo")
    expect(undo).to_be_disabled()
    # A drag: many input events, then the change at the end: one step.
    for value in ("30", "20", "10"):
        slide(page, "#radius", value)
    page.locator("#radius").dispatch_event("change")
    slide(page, "#canvas-padding", "20")
    page.locator("#canvas-padding").dispatch_event("change")

    page.locator("body").press("Control+z")
    expect(page.locator("#canvas-padding")).to_have_value("48")
    expect(page.locator("#radius")).to_have_value("10")
    page.keyboard.press("Control+z")
    expect(page.locator("#radius")).to_have_value("40")
    expect(undo).to_be_disabled()

    page.keyboard.press("Control+Shift+z")
    expect(page.locator("#radius")).to_have_value("10")
    redo.click()
    expect(page.locator("#canvas-padding")).to_have_value("20")
    expect(redo).to_be_disabled()
    undo.click()
    expect(page.locator("#canvas-padding")).to_have_value("48")
    # What is on screen is what the server draws: the redone style is asked for.
    with page.expect_response(
        lambda response: (
            "/render/preview/" in response.url
            and response.request.post_data_json["style"]["canvas"]["padding"] == 20
        )
    ) as drawn:
        page.keyboard.press("Meta+Shift+z")
    assert drawn.value.ok
    expect(page.locator("#canvas-padding")).to_have_value("20")


def test_leaving_unsaved_preset_changes_asks_first(page: Page, live_server):
    user = UserFactory(email="careful@example.com")
    thread = thread_with_posts(user, "A post.", title="Careful")
    preset = StylePreset.objects.create(owner=user, name="Mine", style=default_style())
    sign_in(page, live_server.url, user.email)
    open_editor(page, live_server.url, thread)
    page.get_by_label("Preset").select_option(str(preset.pk))
    with draft_saved(page):
        page.locator("#radius").press("ArrowRight")  # a real key: the page has the user's attention
    expect(page.locator("[data-draft-status]")).to_contain_text("Changed since the preset “Mine” was saved")

    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(0)
    expect(page.locator("[data-editor]")).to_be_visible()  # dismissed: still here
    assert asked == ["beforeunload"]

    page.get_by_role("button", name="Update preset").click()
    expect(page.locator("[data-export-status]")).to_have_text("Updated the preset “Mine”.")
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert asked == ["beforeunload"]


def test_the_last_preset_is_remembered(page: Page, designer):
    user, thread = designer["user"], designer["thread"]
    preset = StylePreset.objects.create(
        owner=user,
        name="Bookish",
        style={**default_style(), "text": {**default_style()["text"], "font": "Lora"}},
    )
    page.reload()
    with draft_saved(page) as saved:
        page.get_by_label("Preset").select_option(label="Bookish")
    assert saved.value.request.post_data_json["preset"] == preset.pk
    user.refresh_from_db()
    assert user.last_preset == preset

    page.reload()
    expect(page.get_by_label("Preset")).to_have_value(str(preset.pk))
    expect(page.get_by_label("Font", exact=True)).to_have_value("Lora")
    fresh = thread_with_posts(user, "Another thread, never designed.", title="Fresh")
    open_editor(page, designer["base"], fresh)
    expect(page.get_by_label("Preset")).to_have_value(str(preset.pk))
    expect(page.get_by_label("Font", exact=True)).to_have_value("Lora")
    assert Thread.objects.get(pk=thread.pk).style_draft["text"]["font"] == "Lora"


def test_the_studio_opens_with_the_editors_style(page: Page, designer):
    with draft_saved(page):
        page.get_by_label("Font", exact=True).select_option("Merriweather")
    page.goto(f"{designer['base']}/threads/{designer['thread'].pk}/studio/")
    config = json.loads(page.locator("#studio-config").text_content())

    assert config["style"]["text"]["font"] == "Merriweather"


@pytest.fixture
def clipboard_page(browser: Browser, live_server):
    user = UserFactory(email="copier@example.com")
    thread = thread_with_posts(user, "Copy me.", "And me.", title="Copied")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, user.email)
    open_editor(page, live_server.url, thread)
    yield page, context, live_server.url
    context.close()


def test_copy_image_puts_the_servers_png_on_the_clipboard(clipboard_page):
    page, context, base = clipboard_page
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    page.get_by_role("button", name="Copy image").click()
    expect(page.locator("[data-toast]")).to_have_text("Copied page 1 to the clipboard.")
    first = bytes(page.evaluate(CLIPBOARD_PNG))
    copied = Image.open(io.BytesIO(first))
    assert copied.format == "PNG"
    assert copied.size[0] == 600

    page.get_by_role("button", name="Next page").click()
    expect(page.locator("[data-page-label]")).to_have_text("2 / 2")
    page.locator("body").press("Control+c")
    expect(page.locator("[data-toast]")).to_have_text("Copied page 2 to the clipboard.")
    assert bytes(page.evaluate(CLIPBOARD_PNG)) not in (first, b"")


def test_copy_image_says_what_to_do_when_the_browser_refuses(clipboard_page):
    page, _, _ = clipboard_page
    # Headless Chromium writes to the clipboard whatever its permissions say
    # (denied by CDP, page unfocused: tried); Safari and Firefox refuse as
    # this does, with a NotAllowedError.
    page.add_init_script(
        "navigator.clipboard.write = () => Promise.reject(new DOMException('Write permission denied.', "
        "'NotAllowedError'));"
    )
    page.reload()
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile("^blob:"))
    page.get_by_role("button", name="Copy image").click()

    expect(page.locator("[data-toast]")).to_have_text(
        "Your browser would not let us copy the image; use Download instead."
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download image").click()
    assert Image.open(download.value.path()).size[0] == 600


def test_the_shortcut_sheet_opens_with_question_mark_and_closes_with_escape(page: Page, designer):
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    copy = page.get_by_role("button", name="Copy image")
    copy.focus()
    page.keyboard.press("Shift+?")
    expect(sheet).to_be_visible()
    for line in ("Export", "Undo a style change", "Redo", "Copy the preview image", "Previous / next page"):
        expect(sheet).to_contain_text(line)
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    expect(copy).to_be_focused()

    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(sheet).to_be_visible()
    sheet.get_by_role("button", name="Close").click()
    expect(sheet).to_be_hidden()


def test_the_author_panel_saves_through_the_api_and_redraws(page: Page, designer, tmp_path):
    thread = designer["thread"]
    before = PREVIEWS[page][-1]
    page.locator("summary", has_text="Author").click()
    name = page.get_by_label("Author name")
    renamed = preview_after(page, lambda: (name.fill("Ada שלום"), name.press("Tab")))
    assert renamed != before
    assert Thread.objects.get(pk=thread.pk).author_name == "Ada שלום"
    expect(name).to_have_attribute("dir", "auto")

    handle = page.get_by_role("textbox", name="Handle")
    handle.fill("not a handle!")
    handle.press("Tab")
    expect(page.locator("[data-author-error]")).to_contain_text("handle:")
    expect(handle).to_have_attribute("aria-invalid", "true")
    assert Thread.objects.get(pk=thread.pk).handle == thread.handle

    avatar = tmp_path / "avatar.png"
    avatar.write_bytes(png_bytes())
    with page.expect_response(lambda response: response.url.endswith("/avatar/")):
        page.locator("[data-avatar-file]").set_input_files(avatar)
    expect(page.get_by_role("img", name="The avatar")).to_be_visible()
    assert Thread.objects.get(pk=thread.pk).avatar
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("img", name="The avatar")).to_be_hidden()
    assert not Thread.objects.get(pk=thread.pk).avatar


def test_quick_export_twice_makes_one_job(page: Page, designer):
    cost = page.locator("[data-export-cost]")
    expect(cost).not_to_be_empty()
    with page.expect_response(lambda response: response.url.endswith("/api/v1/jobs/")):
        page.keyboard.press("Control+s")
    page.keyboard.press("Control+s")
    page.keyboard.press("Control+s")
    expect(page.locator("[data-export-status]")).to_contain_text("Export #")

    assert Job.objects.count() == 1


@pytest.mark.parametrize("width", [1440, 390])
def test_screenshots(page: Page, designer, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile("^blob:"))
    expect(page.locator("[data-export-cost]")).not_to_be_empty()
    page.screenshot(path=SHOTS / f"editor-{width}.png", full_page=width < 800)
    page.keyboard.press("Shift+?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.screenshot(path=SHOTS / f"editor-{width}-shortcuts.png")
    page.keyboard.press("Escape")
    preview_after(page, lambda: page.get_by_role("radio", name="Carousel").check())
    page.locator("summary", has_text="Author").click()
    page.get_by_role("textbox", name="Handle").fill("not a handle!")
    page.get_by_role("textbox", name="Handle").press("Tab")
    expect(page.locator("[data-author-error]")).to_contain_text("handle:")
    page.locator("[data-author]").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"editor-{width}-carousel.png")
