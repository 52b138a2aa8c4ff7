"""The brand kit in the editor: the user's own fonts and logo are offered
and drawn, brand colours are offered by every colour picker; and the short
tour a new account's sample thread opens with."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from brand import services as brand_services
from tests.brand.fontmaker import make_font
from tests.factories import UserFactory, png_bytes, thread_with_posts
from tests.frontend.test_browser_exports import sign_in
from threads.samples import sample_thread_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_own_font_logo_and_colours_are_offered_and_drawn(page: Page, live_server, tmp_path):
    user = UserFactory(email="kit@example.com")
    thread = thread_with_posts(user, "Brand new look.", title="Branded")
    brand_services.font_add(owner=user, upload=io.BytesIO(make_font("Harbour Grotesk")))
    brand_services.brand_image_set(
        owner=user, which="logo", upload=io.BytesIO(png_bytes(120, 120, "#00ff00"))
    )
    brand_services.brand_kit_update(owner=user, changes={"colours": ["#1d9bf0", "#ff5500"]})
    sign_in(page, live_server.url, user.email)
    drawn: list[tuple[dict, bytes]] = []

    def keep(route) -> None:
        try:
            response = route.fetch()
            drawn.append((route.request.post_data_json or {}, response.body()))
            route.fulfill(response=response)
        except PlaywrightError:
            pass  # the page closed while a preview was on its way

    page.route("**/render/preview/", keep)
    page.goto(f"{live_server.url}/threads/{thread.pk}/editor/")
    expect(page.locator("[data-preview]")).to_have_attribute("src", re.compile(r"^blob:"))

    assert page.locator("#brand-colours option").evaluate_all("options => options.map(o => o.value)") == [
        "#1d9bf0",
        "#ff5500",
    ]
    assert page.locator("#text-color").get_attribute("list") == "brand-colours"

    with page.expect_request(
        lambda request: (
            "/render/preview/" in request.url
            and request.post_data_json["style"]["text"]["font"] == "Harbour Grotesk"
        )
    ):
        page.locator("#font").select_option("Harbour Grotesk")

    page.get_by_role("radio", name="Carousel").check()
    page.get_by_text("Header, footer & images").click()

    def top_right(request_body: dict) -> bool:
        return request_body.get("style", {}).get("logo", {}).get("corner") == "top-right"

    with page.expect_response(
        lambda response: (
            "/render/preview/" in response.url and top_right(response.request.post_data_json or {})
        )
    ):
        page.locator("#logo-corner").select_option("top-right")
    body = next(content for asked, content in reversed(drawn) if top_right(asked))
    image = Image.open(io.BytesIO(body)).convert("RGB")
    greens = sum(
        1
        for x in range(image.width // 2, image.width)
        for y in range(0, image.height // 4, 4)
        if image.getpixel((x, y)) == (0, 255, 0)
    )
    assert greens > 50, "the logo in the top right corner"
    page.screenshot(path=tmp_path / "editor-brand.png")


def test_the_sample_thread_opens_with_a_tour_once(page: Page, live_server, tmp_path):
    user = UserFactory(email="newcomer@example.com")
    sample = sample_thread_create(owner=user)
    other = thread_with_posts(user, "Not the sample.", title="Mine")
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{sample.pk}/editor/")
    tour = page.get_by_role("dialog", name="Tour · 1 of 5")
    expect(tour).to_be_visible()
    expect(tour).to_contain_text("First choose what to make")
    expect(tour).to_be_focused()
    page.screenshot(path=tmp_path / "tour.png")
    tour.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("dialog", name="Tour · 2 of 5")).to_contain_text("preset")
    page.keyboard.press("Escape")
    expect(page.locator(".tour")).to_have_count(0)

    page.reload()
    expect(page.locator("[data-preview]")).to_be_visible()
    expect(page.locator(".tour")).to_have_count(0)

    page.goto(f"{live_server.url}/threads/{other.pk}/editor/")
    page.get_by_role("button", name="Take the tour").click()
    expect(page.get_by_role("dialog", name="Tour · 1 of 5")).to_be_visible()
    for _ in range(4):
        page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Done").click()
    expect(page.locator(".tour")).to_have_count(0)
