"""Carousel Studio: posts move by dragging them in the list or their slides
in the strip, and by Alt+← → on a slide; each move is one undoable step and
is saved with the thread."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def saved_order(thread) -> list[int] | None:
    thread.refresh_from_db()
    return thread.arrangement.get("posts")


def test_posts_move_by_drag_and_by_keyboard(page: Page, live_server, tmp_path):
    user = UserFactory(email="mover@example.com")
    thread = thread_with_posts(user, "Alpha.", "Bravo.", "Charlie.", "Delta.", title="Moves")
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/threads/{thread.pk}/studio/")
    expect(page.locator("[data-count]")).to_have_text("6 slides")
    items = page.locator("[data-posts] li")

    items.nth(3).drag_to(items.nth(0))  # Delta onto Alpha: Delta first
    expect(items.nth(0)).to_contain_text("4. Delta.")
    expect(items.nth(1)).to_contain_text("1. Alpha.")

    # Slide 3 is post 1 (Alpha) now; dropped on slide 5 (Charlie) it takes Charlie's place.
    strip = page.locator("[data-strip] [role=listitem]")
    expect(strip.nth(2)).to_have_attribute("data-post", "1")
    strip.nth(2).drag_to(strip.nth(4))
    expect(items.nth(3)).to_contain_text("1. Alpha.")
    expect(items.nth(2)).to_contain_text("3. Charlie.")
    page.screenshot(path=tmp_path / "studio-reordered.png")

    # The keyboard way: Alt+← on the slide of post 2 (Bravo) moves it first.
    expect(strip.nth(2)).to_have_attribute("data-post", "2")  # the strip drawn anew
    strip.nth(2).get_by_role("button").click()
    with page.expect_response(
        lambda response: (
            response.request.method == "PATCH"
            and (response.request.post_data_json or {}).get("arrangement", {}).get("posts") == [2, 4, 3, 1]
        ),
        timeout=15_000,
    ) as saved:
        page.keyboard.press("Alt+ArrowLeft")
    expect(items.nth(0)).to_contain_text("2. Bravo.")
    assert saved.value.ok
    assert saved_order(thread) == [2, 4, 3, 1]

    page.get_by_role("button", name="Undo").click()
    expect(items.nth(0)).to_contain_text("4. Delta.")
