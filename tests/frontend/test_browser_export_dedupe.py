"""The user's report, in a real browser with a real worker: pressing Ctrl+S
three times in the editor makes one job and uses one export (whether the
page sends all three or not), and pressing it again once the export is
ready downloads the same file for nothing: the server answers 200 with the
first job."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import MonthlyUsage
from rendering.models import Job
from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_three_ctrl_s_make_one_export(page: Page, live_server, cluster, settings, tmp_path):
    settings.JOB_DEDUPE_SECONDS = 600
    user = UserFactory(email="presser@example.com")
    thread = thread_with_posts(user, "A post exported three times.", "Once, really.", title="Pressed")
    cluster()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/threads/{thread.pk}/editor/")
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile("^blob:"))
    answers: list[int] = []
    page.on(
        "response",
        lambda response: answers.append(response.status) if response.url.endswith("/jobs/") else None,
    )

    with page.expect_download(timeout=60_000):
        for _ in range(3):
            page.keyboard.press("Control+s")
    expect(page.locator("[data-export-status]")).to_contain_text("is ready")
    with page.expect_download(timeout=30_000) as again:
        page.keyboard.press("Control+s")
    expect(page.locator("[data-export-status]")).to_contain_text("is ready")
    # The line under the Export button asks /api/v1/jobs/quote/ again.
    expect(page.locator("[data-export-cost]")).to_have_text("already exported less than a minute ago: free")
    page.screenshot(path=tmp_path / "dedupe-editor.png")

    assert again.value.suggested_filename == "pressed-cards.zip"
    assert answers[0] == 202
    assert answers[1:] == [200] * (len(answers) - 1), "every later press answered with the first job"
    assert answers[-1] == 200, "the press after it was ready too"
    assert Job.objects.filter(owner=user).count() == 1
    assert MonthlyUsage.objects.get(user=user).exports == 1
