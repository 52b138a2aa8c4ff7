"""The "Import your X archive" page in a real browser with a real worker:
the upload's and the import's progress, then the threads with links, and
"Export all as carousels" with those threads chosen."""

import pytest
from playwright.sync_api import Page, expect

from rendering.models import Job
from tests.factories import UserFactory
from tests.frontend.test_browser_exports import sign_in
from tests.threads import archive_maker as maker
from threads.models import Thread

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_archive_uploads_imports_and_lists_its_threads(page: Page, live_server, cluster, tmp_path):
    user = UserFactory(email="archivist@example.com")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, user.email)
    archive = tmp_path / "twitter-2024-archive.zip"
    archive.write_bytes(maker.sample().zip())

    page.get_by_role("link", name="Import your X archive").click()
    expect(page.get_by_role("heading", name="Import your X archive")).to_be_visible()
    page.screenshot(path=tmp_path / "archive-empty.png", full_page=True)
    page.get_by_label("Your X archive (.zip)").set_input_files(archive)
    page.get_by_role("button", name="Upload and import").click()

    # No worker yet: the job waits, and the page shows both bars meanwhile.
    expect(page.get_by_role("progressbar", name="Upload")).to_have_js_property("value", 100)
    expect(page.locator("[data-upload-text]")).to_have_text("Uploaded")
    expect(page.locator("[data-import-text]")).to_have_text("Waiting for a worker…")
    expect(page.get_by_role("button", name="Upload and import")).to_be_disabled()
    page.screenshot(path=tmp_path / "archive-waiting.png", full_page=True)
    cluster()
    result = page.locator("[data-archive-result]")
    expect(result).to_contain_text("2 threads from your archive", timeout=60_000)
    job = Job.objects.get(owner=user, kind="archive_import")
    expect(page).to_have_url(f"{live_server.url}/import/archive/?job={job.pk}")
    expect(result).to_contain_text("2 pictures added")
    links = result.locator("[data-archive-threads] a")
    expect(links).to_have_count(2)
    expect(links.first).to_have_text(
        "Three things I learned moving our build to one repo & why it took a month. 🧵"
    )
    page.screenshot(path=tmp_path / "archive-done.png", full_page=True)

    page.get_by_role("link", name="Export all as carousels").click()
    chosen = page.get_by_label("Threads").evaluate("select => [...select.selectedOptions].map(o => o.value)")
    assert sorted(map(int, chosen)) == sorted(Thread.objects.filter(owner=user).values_list("pk", flat=True))
    expect(page.get_by_label("Carousel")).to_be_checked()
    row = page.locator(f"tr[data-job='{job.pk}']")
    expect(row).to_contain_text("Your X archive")
    expect(row.get_by_role("link", name="2 threads")).to_be_visible()
    expect(row.get_by_role("link", name="Download")).to_have_count(0)
    page.screenshot(path=tmp_path / "archive-exports.png", full_page=True)

    page.goto(f"{live_server.url}/import/archive/?job={job.pk}")
    links.first.click()
    expect(page.get_by_text("First: caching beats raw speed.")).to_be_visible()
    assert problems == []


def test_a_file_that_is_not_an_archive_is_refused_on_the_page(page: Page, live_server, tmp_path):
    user = UserFactory(email="wrongfile@example.com")
    sign_in(page, live_server.url, user.email)
    wrong = tmp_path / "notes.zip"
    wrong.write_text("these are notes, not a ZIP")

    page.goto(f"{live_server.url}/import/archive/")
    page.get_by_label("Your X archive (.zip)").set_input_files(wrong)
    page.get_by_role("button", name="Upload and import").click()

    expect(page.locator("[data-archive-error]")).to_contain_text("This is not a ZIP file")
    expect(page.get_by_role("button", name="Upload and import")).to_be_enabled()
    assert not Job.objects.exists()
