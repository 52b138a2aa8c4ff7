"""Exporting in a real browser with a real worker: the progress bar moves on
its own and the download button gives the file."""

import pikepdf
import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, UserFactory, thread_with_posts

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base}/dashboard/")


def test_an_export_shows_live_progress_and_downloads(page: Page, live_server, cluster, tmp_path):
    user = UserFactory(email="exporter@example.com")
    # Long enough (60 slides) that the page loads while the job is still going.
    texts = [f"Post {n}: " + "a sentence that fills the slide. " * 8 for n in range(1, 61)]
    thread = thread_with_posts(user, *texts, title="Browser export")
    cluster()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/")
    page.get_by_label("Kind").select_option("carousel")
    page.get_by_label("Format").select_option("pdf")
    page.get_by_role("button", name="Export").click()

    expect(page).to_have_url(f"{live_server.url}/exports/")
    row = page.locator("tr[data-job]").first
    assert row.locator("[data-field=status]").inner_text() in ("queued", "running")
    expect(row.get_by_role("link", name="Download")).to_have_count(0)
    expect(row.locator("[data-field=status]")).to_have_text("succeeded", timeout=60_000)
    expect(row.get_by_role("progressbar")).to_have_attribute("value", "100")
    page.screenshot(path=tmp_path / "exports.png", full_page=True)
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    assert download.value.suggested_filename == "browser-export-carousel.pdf"
    assert len(pikepdf.open(saved).pages) == 62
    assert problems == []


def test_a_refused_export_says_why_on_the_form(page: Page, live_server):
    user = UserFactory(email="refused@example.com")
    thread = thread_with_posts(user, "One post.", title="Refused")
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/")
    page.get_by_label("Kind").select_option("cards")
    page.get_by_label("Format").select_option("pdf")
    page.get_by_role("button", name="Export").click()

    expect(page.get_by_text("Cards come as PNG, JPEG, WebP or ZIP; PDF is for carousels.")).to_be_visible()


def test_a_bulk_export_of_three_threads_reaches_100_percent(page: Page, live_server, cluster):
    user = UserFactory(email="bulk@example.com")
    for n in range(1, 4):
        thread_with_posts(
            user, *[f"Thread {n}, post {p}: " + "words to lay out. " * 10 for p in range(1, 9)], title=f"T{n}"
        )
    cluster()
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/exports/")
    page.get_by_label("Cards, one per post").check()
    page.get_by_role("button", name="Export", exact=True).click()

    row = page.locator("tr[data-job]").first
    expect(row).to_contain_text("3 threads · carousel, cards · PNG")
    expect(row.get_by_role("progressbar")).to_have_attribute("value", "100", timeout=90_000)
    expect(row.locator("[data-field=count]")).to_have_text("3/3")
    expect(row.get_by_role("link", name="Download")).to_be_visible()
