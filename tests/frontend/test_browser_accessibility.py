"""Every page, signed in, at desktop and phone widths: each form control has
a name a screen reader can read, each image an alt, the skip link comes
first, and nothing breaks the CSP or throws."""

import pytest
from playwright.sync_api import Page

from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

UNNAMED = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], img')]
  .filter((element) => {
    if (element.tagName === 'IMG') return !element.hasAttribute('alt');
    const labels = element.labels ? [...element.labels].map((label) => label.textContent).join('') : '';
    const name = element.getAttribute('aria-label') || labels || element.textContent || element.title || '';
    return !name.trim();
  })
  .map((element) => element.outerHTML.slice(0, 120))
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_name_their_controls_and_load_cleanly(page: Page, live_server, width, tmp_path):
    user = UserFactory(email=f"reader{width}@example.com")
    thread = thread_with_posts(user, "First post.", "Second post.", title="Readable")
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, user.email)

    here = f"/threads/{thread.pk}/"
    paths = ["/dashboard/", here, f"{here}editor/", f"{here}studio/", "/exports/", "/api-keys/", "/presets/"]
    for path in [*paths, "/plan/", "/threads/import/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(UNNAMED) == [], path
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link", path
        page.screenshot(path=tmp_path / f"{width}{path.replace('/', '_')}.png")

    assert problems == []
