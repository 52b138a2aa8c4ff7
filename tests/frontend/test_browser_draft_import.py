"""A thread whose import still waits for its pictures, in a real browser:
its page says so and what is missing, and the user can go on without them."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import UserFactory
from tests.frontend.test_browser_exports import sign_in
from threads import services
from threads.importers import ImportedImage, ImportedPost, ImportedThread
from threads.models import Thread

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_thread(user) -> Thread:
    imported = ImportedThread(
        title="Tide pools",
        author_name="Noor Haddad",
        handle="noor_shore",
        avatar_url=None,
        source_url="https://x.com/noor_shore/status/1900000000000000001",
        posts=(
            ImportedPost(text="What lives in a tide pool? A short thread.", source_id="1900000000000000001"),
            ImportedPost(
                text="Anemones close up when the water leaves.",
                source_id="1900000000000000002",
                images=(
                    ImportedImage(url="https://pbs.twimg.com/media/anemone?format=jpg&name=orig"),
                    ImportedImage(url="https://pbs.twimg.com/media/crab?format=jpg&name=orig"),
                ),
            ),
        ),
    )
    thread, _ = services.thread_save_imported(owner=user, imported=imported, await_images=True)
    return thread


def test_a_draft_says_what_it_waits_for_and_finishes_without_it(page: Page, live_server, tmp_path):
    user = UserFactory(email="noor@example.com")
    thread = waiting_thread(user)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("listitem").filter(has_text="Tide pools")).to_contain_text("importing")
    page.goto(f"{live_server.url}/threads/{thread.pk}/")
    banner = page.get_by_role("status").filter(has_text="Still importing")
    expect(banner).to_contain_text("2 pictures from the original have not arrived yet")
    expect(banner.get_by_role("link", name="the original")).to_have_attribute("href", thread.source_url)
    page.screenshot(path=tmp_path / "draft-thread.png", full_page=True)

    banner.get_by_role("button", name="Finish without them").click()

    expect(page.get_by_text("The thread is ready")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Still importing")).to_have_count(0)
    expect(page.get_by_role("note")).to_contain_text("Post 2 still has images to add")
    thread.refresh_from_db()
    assert thread.draft is False
