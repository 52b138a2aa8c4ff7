"""Carousel Studio on a budget, in a real browser: only the slides in view
are drawn, a change redraws only the slides it changed, and a rate limit's
429 is waited out ("Slow down — retrying in N s") rather than shown as a
failure."""

import re

import pytest
from playwright.sync_api import Page, Request, Response, expect

from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LONG_THREAD = 120
TITLE = "Twenty-two characters!"  # 22, typed one by one
DRAWN = 20_000


class Traffic:
    """The previews the page asked for (their page numbers) and every API answer's status."""

    def __init__(self, page: Page) -> None:
        self.previews: list[int] = []
        self.previewed: list[dict] = []
        self.statuses: list[tuple[str, int]] = []
        page.on("request", self.asked)
        page.on("response", self.answered)

    def asked(self, request: Request) -> None:
        if "/render/preview/" in request.url:
            self.previewed.append(request.post_data_json)
            self.previews.append(request.post_data_json["page"])

    def answered(self, response: Response) -> None:
        if "/api/" in response.url:
            self.statuses.append((response.url, response.status))


def tile(page: Page, number: int):
    return page.locator(f'[data-strip] [data-page="{number}"]')


def open_studio(page: Page, live_server, *texts: str, email: str) -> Traffic:
    user = UserFactory(email=email)
    thread = thread_with_posts(user, *texts, title="Budget")
    sign_in(page, live_server.url, user.email)
    traffic = Traffic(page)
    page.goto(f"{live_server.url}/threads/{thread.pk}/studio/")
    return traffic


def drawn_with_title(response: Response, title: str) -> bool:
    return (
        "/render/preview/" in response.url and response.request.post_data_json["carousel"]["title"] == title
    )


def in_view(page: Page) -> list[int]:
    """The pages of the tiles the strip shows now."""
    return page.locator("[data-strip]").evaluate(
        """strip => {
            const box = strip.getBoundingClientRect();
            return [...strip.children].filter((item) => {
                const seen = item.getBoundingClientRect();
                return seen.right > box.left && seen.left < box.right;
            }).map((item) => Number(item.dataset.page));
        }"""
    )


def test_a_long_thread_draws_the_slides_in_view_first_and_the_rest_when_scrolled_to(
    page: Page, live_server, tmp_path
):
    texts = [f"Post {n}: a few words about the topic, as threads have." for n in range(1, LONG_THREAD + 1)]
    traffic = open_studio(page, live_server, *texts, email="long@example.com")
    total = LONG_THREAD + 2  # the cover and the end

    expect(page.locator("[data-count]")).to_have_text(f"{total} slides", timeout=DRAWN)
    shown = in_view(page)
    assert 3 <= len(shown) < 30, shown
    for number in shown:
        expect(tile(page, number)).to_have_attribute("data-state", "ready", timeout=DRAWN)
    expect(page.locator("[data-selected]")).to_have_attribute("src", re.compile(r"^blob:"))
    page.screenshot(path=tmp_path / "studio-long.png")

    assert max(traffic.previews) < 40, "only slides in or near the strip's view are asked for"
    assert len(traffic.previews) == len(set(traffic.previews)), "no slide asked for twice"
    expect(tile(page, total)).to_have_attribute("data-state", "waiting")
    assert not tile(page, total).locator("img").get_attribute("src")

    page.locator("[data-strip]").evaluate("strip => { strip.scrollLeft = strip.scrollWidth; }")

    expect(tile(page, total)).to_have_attribute("data-state", "ready", timeout=DRAWN)
    assert total in traffic.previews
    assert not [number for number in traffic.previews if 40 <= number < total - 30], "the middle is skipped"
    assert all(status == 200 for _, status in traffic.statuses)


def test_typing_a_cover_title_redraws_only_the_cover(page: Page, live_server):
    texts = [f"Post {n}: " + "a sentence that fills the slide. " * 6 for n in range(1, 13)]
    traffic = open_studio(page, live_server, *texts, email="typist@example.com")
    expect(page.locator("[data-count]")).to_have_text("14 slides", timeout=DRAWN)
    shown = in_view(page)
    for number in shown:
        expect(tile(page, number)).to_have_attribute("data-state", "ready", timeout=DRAWN)
    expect(page.locator("[data-status]")).to_have_text("")
    opened = len(traffic.previews)
    layouts_before = len([url for url, _ in traffic.statuses if "/render/slides/" in url])

    cover = page.get_by_label("Cover title")
    cover.select_text()
    with page.expect_response(lambda response: drawn_with_title(response, TITLE), timeout=DRAWN):
        cover.press_sequentially(TITLE, delay=250)  # slower than the studio's pause: a layout after most keys

    expect(tile(page, 1)).to_have_attribute("data-state", "ready", timeout=DRAWN)
    expect(page.locator("[data-save]")).to_have_text("Saved", timeout=DRAWN)
    expect(page.locator("[data-status]")).to_have_text("")
    layouts = len([url for url, _ in traffic.statuses if "/render/slides/" in url]) - layouts_before
    assert layouts >= 5, "the strip was laid out again as the title grew"
    covers = traffic.previews[opened:].count(1)
    assert 1 <= covers <= layouts, "the cover is redrawn, at most once a layout"
    others = [number for number in traffic.previews if number != 1]
    assert len(others) == len(set(others)), "no other slide is asked for again (the strip may still fill in)"
    last_cover = [body for body in traffic.previewed if body["page"] == 1][-1]
    assert last_cover["carousel"]["title"] == TITLE, "the latest version wins"
    assert [status for _, status in traffic.statuses if status != 200] == [], "no 429, nothing refused"


def test_a_rate_limit_says_slow_down_and_the_slides_still_come(page: Page, live_server, settings, tmp_path):
    settings.THROTTLE_PREVIEW = "3/3s"
    traffic = open_studio(
        page, live_server, "Alpha.", "Bravo.", "Charlie.", "Delta.", email="hasty@example.com"
    )

    status = page.locator("[data-status]")
    expect(status).to_have_text(re.compile(r"^Slow down — retrying in [1-3] s$"), timeout=DRAWN)
    page.screenshot(path=tmp_path / "studio-slow-down.png")

    for number in range(1, 7):
        expect(tile(page, number)).to_have_attribute("data-state", "ready", timeout=DRAWN)
    expect(status).to_have_text("")
    refused = [url for url, code in traffic.statuses if code == 429]
    assert refused, "some previews were refused and asked for again"
    assert sorted(set(traffic.previews)) == [1, 2, 3, 4, 5, 6]
