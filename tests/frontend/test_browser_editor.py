"""The visual editor in a real browser with a real worker: the preview is the
server's render and follows the controls; Ctrl+S exports without the
browser's save dialog; presets save and load."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in
from threads.models import StylePreset

pytestmark = pytest.mark.django_db(transaction=True)


PREVIEWS: dict[Page, list[bytes]] = {}


def capture_previews(page: Page) -> list[bytes]:
    """Every preview image the server sends, in order, as bytes."""
    bodies: list[bytes] = []

    def keep(route) -> None:
        try:
            response = route.fetch()
            bodies.append(response.body())
            route.fulfill(response=response)
        except PlaywrightError:
            pass  # the page closed while a preview was on its way

    page.route("**/render/preview/", keep)
    PREVIEWS[page] = bodies
    return bodies


def preview_after(page: Page, change) -> bytes:
    """The image the server sends after `change`, once it is on screen."""
    bodies = PREVIEWS[page]
    count = len(bodies)
    old = page.locator("[data-preview]").get_attribute("src")
    change()
    page.wait_for_function(
        "old => { const img = document.querySelector('[data-preview]'); return img.src && img.src !== old; }",
        arg=old,
    )
    assert len(bodies) > count
    return bodies[-1]


def slide(page: Page, selector: str, value: str) -> None:
    """Move a range input the way a drag does: set it, announce the input."""
    page.locator(selector).evaluate(
        "(element, value) => {"
        " element.value = value; element.dispatchEvent(new Event('input', {bubbles: true})); }",
        value,
    )


@pytest.fixture
def editor(page: Page, live_server):
    user = UserFactory(email="designer@example.com")
    thread = thread_with_posts(user, "A first post to style.", "A second one.", title="Styled")
    sign_in(page, live_server.url, user.email)
    previews = capture_previews(page)
    page.goto(f"{live_server.url}/threads/{thread.pk}/editor/")
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile("^blob:"))
    yield {"user": user, "thread": thread, "first": previews[-1]}
    PREVIEWS.pop(page, None)


def test_the_preview_follows_angle_and_radius(page: Page, editor, tmp_path):
    angled = preview_after(page, lambda: page.get_by_label("Angle in degrees").fill("45"))
    rounded = preview_after(page, lambda: slide(page, "#radius", "0"))

    assert editor["first"][:8] == b"\x89PNG\r\n\x1a\n"
    assert angled != editor["first"]
    assert rounded != angled
    expect(page.get_by_role("img", name="Preview of Styled")).to_be_visible()
    page.screenshot(path=tmp_path / "editor.png")


def test_pages_and_kinds(page: Page, editor):
    expect(page.locator("[data-page-label]")).to_have_text("1 / 2")
    second = preview_after(page, lambda: page.get_by_role("button", name="Next page").click())
    expect(page.locator("[data-page-label]")).to_have_text("2 / 2")
    slide = preview_after(page, lambda: page.get_by_role("radio", name="Carousel").check())

    assert second != editor["first"]
    # Drawn at display size: a 1080-wide slide shown 540 CSS px wide at 100 %.
    assert Image.open(io.BytesIO(slide)).size == (540, 675)
    expect(page.locator("[data-page-label]")).to_have_text("1 / 4")


def test_ctrl_s_exports_with_the_last_settings(page: Page, editor, cluster):
    cluster()
    preview_after(page, lambda: page.get_by_role("radio", name="Thread image").check())
    page.get_by_label("Format").select_option("png")
    preview_after(page, lambda: slide(page, "#radius", "8"))

    with page.expect_download(timeout=60_000) as download:
        page.keyboard.press("Control+s")
    content = download.value.path().read_bytes()

    assert download.value.suggested_filename == "styled-thread.png"
    assert Image.open(io.BytesIO(content)).size[0] == 600
    expect(page.locator("[data-export-status]")).to_contain_text("is ready")
    page.reload()
    expect(page.get_by_role("radio", name="Thread image")).to_be_checked()


def test_save_a_preset_and_load_it_again(page: Page, editor):
    page.get_by_label("Font", exact=True).select_option("Lora")
    page.once("dialog", lambda dialog: dialog.accept("Bookish"))
    page.get_by_role("button", name="Save as preset").click()
    expect(page.locator("[data-export-status]")).to_have_text("Saved the preset “Bookish”.")
    preset = StylePreset.objects.get(owner=editor["user"], name="Bookish")
    assert preset.style["text"]["font"] == "Lora"

    page.reload()
    page.get_by_label("Preset").select_option(label="Bookish")
    expect(page.get_by_label("Font", exact=True)).to_have_value("Lora")
    slide(page, "#font-size", "20")
    page.get_by_role("button", name="Update preset").click()
    expect(page.locator("[data-export-status]")).to_have_text("Updated the preset “Bookish”.")
    preset.refresh_from_db()
    assert preset.style["text"]["size"] == 20


def test_carousel_layout_controls_change_the_slide(page: Page, editor):
    page.get_by_role("radio", name="Carousel").check()
    expect(page.locator("[data-page-label]")).to_have_text("1 / 4")
    page.locator("summary", has_text="Carousel layout").click()
    top = preview_after(page, lambda: page.get_by_role("button", name="Next page").click())
    fitted = preview_after(page, lambda: page.get_by_label("Text size on slides").select_option("slide"))
    centred = preview_after(page, lambda: page.get_by_label("Content on a slide").select_option("center"))
    packed = preview_after(page, lambda: page.get_by_label("Short posts share a slide").check())

    assert len({top, fitted, centred}) == 3
    assert Image.open(io.BytesIO(packed)).size == (540, 675)  # drawn at display size (issue 15)
    expect(page.locator("[data-page-label]")).to_have_text("2 / 3")
