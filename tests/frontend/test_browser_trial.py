"""A visitor tries the editor before signing up, in a real browser with a
real worker: paste on the landing page, the trial editor's preview, a
colour changed, Export asks to sign up, sign-up and the mailed link, and
the design is a thread of the new account whose editor exports it."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.accounts.mailbox import VERIFY, only_link
from threads.models import Thread
from trials.models import TrialDraft

pytestmark = pytest.mark.django_db(transaction=True)

PASTE = "1/ Five habits that made my writing clearer.\n\n2/ One idea per sentence.\n\n3/ Read it aloud."
SHOTS = "/tmp/trial"  # noqa: S108 (screenshots for people to look at)


def paste_and_design(page: Page, url: str, *, shot: str = "") -> list[str]:
    """Paste on the landing page and open the trial editor; the list
    collects the page's script errors from then on."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    box = page.get_by_label("Your thread")
    expect(box).to_be_visible()
    box.fill(PASTE)
    if shot:
        page.locator(".trial").screenshot(path=f"{SHOTS}-landing-{shot}.png")
    with page.expect_response(re.compile(r"/trial/preview/$")) as first:
        page.get_by_role("button", name="Design it").click()
    assert first.value.status == 200
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile("^blob:"))
    return errors


def pick_colour(page: Page, selector: str, colour: str) -> None:
    page.locator(selector).evaluate(
        "(element, value) => {"
        " element.value = value; element.dispatchEvent(new Event('input', {bubbles: true}));"
        " element.dispatchEvent(new Event('change', {bubbles: true})); }",
        colour,
    )


def test_a_visitor_designs_signs_up_and_exports(page: Page, live_server, cluster):
    cluster()
    page.set_viewport_size({"width": 1440, "height": 900})
    errors = paste_and_design(page, live_server.url, shot="1440")
    expect(page.get_by_text("Trying it out")).to_be_visible()
    expect(page.locator("[data-author]")).to_have_count(0)

    old = page.locator("[data-preview]").get_attribute("src")
    with page.expect_response(re.compile(r"/trial/style/$")) as saved:
        page.get_by_role("radio", name="Carousel").check()
        pick_colour(page, "#card-color", "#fde68a")
    assert saved.value.status == 200
    page.wait_for_function("old => document.querySelector('[data-preview]').src !== old", arg=old)
    expect(page.locator("[data-draft-status]")).to_have_text("Kept with your trial design.")
    page.screenshot(path=f"{SHOTS}-editor-1440.png")

    # A reload keeps the colour (it is the draft's).
    page.reload()
    expect(page.locator("#card-color")).to_have_value("#fde68a")

    page.get_by_label("Format").select_option("pdf")
    page.get_by_role("button", name="Export carousel").click()
    prompt = page.get_by_role("dialog", name="Sign up to export — free, takes a minute")
    expect(prompt).to_be_visible()
    page.screenshot(path=f"{SHOTS}-prompt-1440.png")

    prompt.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("trier@example.com")
    page.get_by_label("Password").fill("tangerine orbit lighthouse")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    page.goto(live_server.url + only_link("trier@example.com", VERIFY))
    # The export the visitor asked for goes on by itself once the editor opens.
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Confirm").click()

    user = User.objects.get(email="trier@example.com")
    expect(page).to_have_url(re.compile(r"/threads/\d+/editor/$"))
    thread = Thread.objects.get(owner=user, posts__text="Read it aloud.")
    assert page.url.endswith(f"/threads/{thread.pk}/editor/")
    assert thread.style_draft["card"]["background"] == "#fde68a"
    assert not TrialDraft.objects.filter(claimed_thread=None).exists()
    expect(page.get_by_text("Your design is saved to your account — export it now")).to_be_visible()
    expect(page.get_by_role("radio", name="Carousel")).to_be_checked()
    content = download.value.path().read_bytes()
    assert download.value.suggested_filename.endswith(".pdf")
    assert content.startswith(b"%PDF")
    expect(page.locator("[data-export-status]")).to_contain_text("is ready")
    assert errors == []


def test_the_trial_on_a_phone(page: Page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    errors = paste_and_design(page, live_server.url, shot="390")
    page.screenshot(path=f"{SHOTS}-editor-390.png", full_page=True)
    page.get_by_role("button", name=re.compile("^Export")).click()
    prompt = page.get_by_role("dialog", name="Sign up to export — free, takes a minute")
    expect(prompt).to_be_visible()
    href = prompt.get_by_role("link", name="Log in").get_attribute("href")
    assert href.startswith("/accounts/login/?next=%2Ftrial%2Fclaim%2F%3Fkind%3Dcards")
    page.screenshot(path=f"{SHOTS}-prompt-390.png")
    prompt.get_by_role("button", name="Keep designing").click()
    expect(prompt).to_be_hidden()
    assert errors == []


def test_a_bad_paste_is_shown_on_the_landing_page(page: Page, live_server):
    page.goto(live_server.url)
    page.get_by_label("Your thread").fill("   x")
    page.get_by_label("Your thread").evaluate(
        "element => { element.value = '   '; element.required = false; }"
    )
    page.get_by_role("button", name="Design it").click()
    expect(page.get_by_role("alert")).to_contain_text("Content: paste the thread")
