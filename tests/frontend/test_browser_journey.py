"""A newcomer's way from sign-up (and the link mailed to verify the address)
to a downloaded carousel, in a real browser with a real worker: paste the
app's page, read it in the navigator, edit a post, style it in the editor
and quick-export."""

import re
from pathlib import Path

import pikepdf
import pytest
from playwright.sync_api import Page, expect

from tests.accounts.mailbox import VERIFY, only_link
from threads.models import Post

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURE = Path(__file__).resolve().parents[1] / "threads" / "fixtures" / "app_page_marisol.txt"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_d0b8afc84c38f9bc.txt"


def test_sign_up_paste_read_edit_style_and_download(page: Page, live_server, cluster, tmp_path):
    source = SEED if SEED.exists() else FIXTURE
    posts = 9 if source == SEED else 5
    cluster()
    page.goto(live_server.url)
    page.get_by_role("link", name="Sign up free").first.click()
    page.get_by_label("Email").fill("journey@example.com")
    page.get_by_label("Password").fill("tangerine orbit lighthouse")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    page.goto(live_server.url + only_link("journey@example.com", VERIFY))
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("link", name="Import a thread").click()
    page.get_by_label("Paste the thread").fill(source.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name=f"Post 1 of {posts}")).to_be_visible()
    expect(page.get_by_role("navigation", name="Posts").get_by_role("listitem")).to_have_count(posts)
    # The arrow keys work once the page's script has run, which the heading
    # showing does not promise (a key pressed sooner was lost in one CI run).
    page.wait_for_load_state()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("heading", name=f"Post 2 of {posts}")).to_be_visible()
    page.get_by_role("link", name="Edit text").click()
    page.get_by_label("Post text").fill("Edited in the navigator.")
    page.get_by_role("button", name="Save post").click()
    expect(page.get_by_text("Post 2 saved.")).to_be_visible()
    # The new account's sample thread is there too: look in the pasted one.
    assert Post.objects.filter(position=2, text="Edited in the navigator.").count() == 1
    page.screenshot(path=tmp_path / "navigator.png", full_page=True)

    page.get_by_role("link", name="Open in the editor").click()
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile("^blob:"))
    page.get_by_role("radio", name="Carousel").check()
    page.get_by_label("Format").select_option("pdf")
    with page.expect_download(timeout=60_000) as download:
        page.keyboard.press("Control+s")

    pdf = pikepdf.open(download.value.path())
    assert len(pdf.pages) >= posts + 2
    assert download.value.suggested_filename.endswith("-carousel.pdf")
