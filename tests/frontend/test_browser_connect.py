"""The "Save threads from X" page and the extension's connect flow in a
real browser: the page explains both ways, the bookmarklet link only says
to drag it when clicked on our site, and allowing the extension lands on
the "Connected" page with an import-only token in the address's fragment."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_explains_the_extension_and_the_bookmarklet(page: Page, live_server, tmp_path: Path):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/extension/")

    expect(page.get_by_role("heading", name="Save threads from X")).to_be_visible()
    expect(page.get_by_role("link", name="Download for Chrome, Edge, Brave")).to_have_attribute(
        "href", "/extension/download/chromium.zip"
    )
    expect(page.get_by_role("link", name="Download for Firefox")).to_have_attribute(
        "href", "/extension/download/firefox.zip"
    )
    bookmarklet = page.get_by_role("link", name="Save to Thread Navigator")
    expect(bookmarklet).to_have_attribute("href", re.compile(r"^javascript:"))
    page.screenshot(path=tmp_path / "capture-extension.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=tmp_path / "capture-extension-dark.png", full_page=True)

    bookmarklet.click()
    expect(
        page.get_by_role("status").filter(has_text="Drag this button to your bookmarks bar")
    ).to_contain_text("it does nothing here")
    expect(page).to_have_url(f"{live_server.url}/extension/")
    assert problems == []


def test_connecting_signs_in_asks_and_hands_the_token_over(page: Page, live_server, tmp_path: Path):
    user = UserFactory(email="reader@example.com")
    page.goto(f"{live_server.url}/extension/connect/")

    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}/extension/connect/")
    expect(page.get_by_text("It can add threads and their pictures, nothing else.")).to_be_visible()
    page.screenshot(path=tmp_path / "capture-connect.png", full_page=True)
    page.get_by_role("button", name="Allow").click()

    expect(page.get_by_role("heading", name="Connected — you can close this tab")).to_be_visible()
    address = urlsplit(page.url)
    assert address.path == "/extension/connect/done/"
    assert address.query == ""
    key = address.fragment.removeprefix("token=")
    page.screenshot(path=tmp_path / "capture-connected.png", full_page=True)
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope) == ("Browser extension", ApiToken.Scope.IMPORT)
    me = page.request.get(f"{live_server.url}/api/v1/accounts/me/", headers={"Authorization": f"Token {key}"})
    assert me.ok


def test_cancel_makes_no_token(page: Page, live_server):
    user = UserFactory(email="reader@example.com")
    page.goto(f"{live_server.url}/extension/connect/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("link", name="Cancel").click()

    expect(page).to_have_url(f"{live_server.url}/extension/")
    assert not ApiToken.objects.exists()
