"""Carousel Studio in a real browser with a real worker."""

import pikepdf
import pytest
from playwright.sync_api import Page, expect

from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_choose_posts_size_and_end_line_then_download_the_pdf(page: Page, live_server, cluster, tmp_path):
    user = UserFactory(email="studio@example.com")
    thread = thread_with_posts(user, "Alpha.", "Bravo.", "Charlie.", "Delta.", title="Studio")
    cluster()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/threads/{thread.pk}/")
    page.get_by_role("link", name="Carousel Studio").click()
    expect(page.locator("[data-count]")).to_have_text("6 slides")

    page.get_by_label("Square 1:1").check()
    page.get_by_role("checkbox", name="2. Bravo.").uncheck()
    page.get_by_role("button", name="Move post 4 up").click()
    page.get_by_label("End slide line").fill("Part two comes on Friday.")
    expect(page.locator("[data-count]")).to_have_text("5 slides")
    expect(page.get_by_role("listitem", name="Slide 5 of 5")).to_be_visible()
    page.screenshot(path=tmp_path / "studio.png")

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download PDF").click()

    pdf = pikepdf.open(download.value.path())
    subject = str(pdf.docinfo["/Subject"])
    assert len(pdf.pages) == 5
    width, height = (float(value) for value in pdf.pages[0].mediabox[2:])
    assert width == height, "square slides"
    assert "Bravo" not in subject
    assert subject.index("Delta") < subject.index("Charlie")
    assert "Part two comes on Friday." in subject


def test_layout_controls_pack_short_posts_and_fit_the_text(page: Page, live_server):
    user = UserFactory(email="layout@example.com")
    thread = thread_with_posts(user, "Alpha.", "Bravo.", "Charlie.", "Delta.", title="Layout")
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/threads/{thread.pk}/studio/")
    expect(page.locator("[data-count]")).to_have_text("6 slides")
    expect(page.locator("[data-fit-range]")).to_be_hidden()

    page.get_by_label("Short posts share a slide").check()
    expect(page.locator("[data-count]")).to_have_text("3 slides")

    # The strip may still be fetching slides of the packed layout: wait for one of the new style.
    with page.expect_request(
        lambda request: (
            "/render/preview/" in request.url
            and request.post_data_json["style"]["card"].get("align") == "center"
        )
    ) as asked:
        page.get_by_label("Text size").select_option("slide")
        page.get_by_label("Content").select_option("center")
    expect(page.locator("[data-fit-range]")).to_be_visible()
    sent = asked.value.post_data_json
    assert sent["style"]["text"]["fit"] == "slide"
    assert (sent["style"]["text"]["fit_min"], sent["style"]["text"]["fit_max"]) == (16, 40)
    assert sent["style"]["carousel"]["pack"] is True
    expect(page.locator("[data-count]")).to_have_text("3 slides")
