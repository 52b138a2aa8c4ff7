"""The editor's preview at display size (issue 15): a carousel shown at Fit
in a 1440 × 900 window is drawn below 1×, shown at its CSS size, while Copy
image still fetches the full-size page."""

import io
import json
import re
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_editor import PREVIEWS, capture_previews
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SCREENSHOT = Path(tempfile.gettempdir()) / "scale-editor-fit.png"


def test_a_carousel_at_fit_is_drawn_below_1x_and_copy_image_is_1x(browser: Browser, live_server, tmp_path):
    user = UserFactory(email="scaler@example.com")
    thread = thread_with_posts(user, "A first post to style.", "A second one.", title="Scaled")
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, live_server.url, user.email)
    asked: list[dict] = []
    page.on(
        "request",
        lambda request: (
            asked.append(json.loads(request.post_data or "{}"))
            if request.url.endswith("/render/preview/")
            else None
        ),
    )
    bodies = capture_previews(page)
    page.goto(f"{live_server.url}/threads/{thread.pk}/editor/")
    preview = page.locator("[data-preview]")
    expect(preview).to_have_attribute("src", re.compile("^blob:"))

    with page.expect_response("**/render/preview/"):
        page.get_by_role("radio", name="Carousel").check()
    page.get_by_label("Zoom").select_option("fit")
    expect(page.locator("[data-page-label]")).to_have_text("1 / 4")
    expect(preview).to_have_attribute("data-scale", re.compile(r"^0\.\d+$"))
    drawn = Image.open(io.BytesIO(bodies[-1])).size
    shown = preview.evaluate(
        "img => [img.getBoundingClientRect().width, img.naturalWidth, img.naturalHeight]"
    )
    page.screenshot(path=tmp_path / "scale-editor-fit.png")
    page.screenshot(path=SCREENSHOT)

    carousel = [body for body in asked if body.get("kind") == "carousel"]
    assert carousel
    assert all(body["scale"] < 1 for body in carousel), carousel
    assert drawn == (540, 675)
    # Shown whole: the slide fitted inside the area, not running under the export bar.
    assert 0 < shown[0] <= 1080, shown
    fits = preview.evaluate(
        "img => { const area = img.parentElement.getBoundingClientRect();"
        " const box = img.getBoundingClientRect();"
        " return box.top >= area.top && box.bottom <= area.bottom + 0.5 && box.right <= area.right + 0.5; }"
    )
    assert fits, "the whole slide is in view at Fit"

    with page.expect_request("**/render/preview/") as copied:
        page.get_by_role("button", name="Copy image").click()
    expect(page.locator("[data-toast]")).to_have_text("Copied page 1 to the clipboard.")
    assert json.loads(copied.value.post_data or "{}")["scale"] == 1
    PREVIEWS.pop(page, None)
    context.close()
