"""Images still to add, in a real browser: every export form names the
posts that would come out as grey boxes, links to where to add them, and
offers to leave them out; the job then remembers what it left out."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

from rendering.models import Job
from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in
from threads.models import PostImage

pytestmark = pytest.mark.django_db(transaction=True)

WARNING = "Posts 1 and 3 still have images to add; they export as grey boxes."


def logbook(user, title: str = "Ship's log"):
    """Three posts; the importer saw a picture in the first and the third
    that nobody has uploaded yet."""
    thread = thread_with_posts(user, "Left port at dawn.", "Calm seas all day.", "Dolphins!", title=title)
    for position, alt in ((1, "the harbour at dawn"), (3, "dolphins off the bow")):
        PostImage.objects.create(post=thread.posts.get(position=position), alt=alt)
    return thread


def test_the_thread_page_warns_and_exports_without_them_when_asked(
    page: Page, live_server, cluster, tmp_path
):
    user = UserFactory(email="sailor@example.com")
    thread = logbook(user)
    cluster()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/?post=2")
    notice = page.get_by_role("note")
    expect(notice).to_contain_text(WARNING)
    expect(notice.get_by_role("link", name="Go to post 1")).to_have_attribute(
        "href", f"/threads/{thread.pk}/?post=1"
    )
    page.screenshot(path=tmp_path / "thread-export-warning.png", full_page=True)
    page.get_by_label("Kind").select_option("cards")
    page.get_by_label("Format").select_option("zip")
    page.get_by_label("Leave out images still to add").check()
    page.get_by_role("button", name="Export").click()

    expect(page).to_have_url(f"{live_server.url}/exports/")
    row = page.locator("tr[data-job]").first
    expect(row).to_contain_text("Posts 1 and 3 still have images to add; they are left out of this export.")
    expect(row.locator("[data-field=status]")).to_have_text("succeeded", timeout=60_000)
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    job = Job.objects.get()
    assert job.placeholders == "drop"
    index = json.loads(zipfile.ZipFile(io.BytesIO(saved.read_bytes())).read("index.json"))
    assert [entry["posts"] for entry in index] == [[1], [2], [3]]
    assert "dolphins" not in json.dumps(index), "the picture to add is not in the export"
    assert problems == []


def test_the_bulk_form_and_the_editor_warn_too(page: Page, live_server):
    user = UserFactory(email="navigator@example.com")
    thread = logbook(user)
    thread_with_posts(user, "Nothing missing here.", title="Complete")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/exports/")
    notice = page.get_by_role("note")
    expect(notice.get_by_role("listitem")).to_have_count(1)
    expect(notice).to_contain_text(f"“Ship's log”: {WARNING}")
    expect(notice.get_by_label("Leave out images still to add")).not_to_be_checked()
    notice.get_by_role("link", name="Add them on the thread page").click()
    expect(page).to_have_url(f"{live_server.url}/threads/{thread.pk}/?post=1")
    expect(page.get_by_text("Image to add: the harbour at dawn")).to_be_visible()

    page.goto(f"{live_server.url}/threads/{thread.pk}/editor/")
    expect(page.get_by_role("note")).to_contain_text(WARNING)
    with page.expect_request(
        lambda request: (
            request.url.endswith("/render/preview/")
            and (request.post_data_json or {}).get("placeholders") == "drop"
        )
    ):
        page.get_by_label("Leave out images still to add").check()
    assert problems == []
