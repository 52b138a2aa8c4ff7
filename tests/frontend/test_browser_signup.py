"""A newcomer in a real browser: landing page, sign up, the link mailed to
verify the address, dashboard, sign out."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.accounts.mailbox import VERIFY, only_link

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_in_a_browser_reaches_an_empty_dashboard(page: Page, live_server, tmp_path):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Turn threads into images people share")).to_be_visible()

    page.get_by_role("link", name="Sign up free").first.click()
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password").fill("tangerine orbit lighthouse")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert User.objects.filter(email="newcomer@example.com").exists()

    page.goto(live_server.url + only_link("newcomer@example.com", VERIFY))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Start here: your first carousel")).to_be_visible()
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    page.locator("header summary", has_text="newcomer@example.com").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_pages_load_without_csp_or_script_errors(page: Page, live_server):
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    for path in ("/", "/accounts/login/", "/accounts/signup/", "/api/v1/docs/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")

    expect(page.get_by_text("Thread Navigator API")).to_be_visible()
    assert problems == []
