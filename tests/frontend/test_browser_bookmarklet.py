"""The bookmarklet in a real browser, as on x.com: the fixture post page is
served under its x.com address with a strict Content-Security-Policy, X's
picture host answers with generated pictures, and the bookmarklet's code
runs as clicking the bookmark would. It opens our import/x/ window, hands
the thread over with postMessage, and the window saves it with its
pictures and avatar, then opens the editor. Nothing leaves the machine."""

import io
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Route, expect

from accounts.models import User
from frontend.extension import build
from tests.factories import PASSWORD, UserFactory
from tests.frontend.test_browser_exports import sign_in
from threads.models import Post, PostImage, Thread

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).parent / "fixtures" / "x"
FIRST_POST = "https://x.com/lenamarsh_dev/status/1865000000000000101"
THIRD_POST = "https://x.com/lenamarsh_dev/status/1865000000000000103"
# As strict as x.com's own: no script but the page's, no calls elsewhere.
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "img-src 'self' https://pbs.twimg.com https://abs.twimg.com; style-src 'self' 'unsafe-inline'"
)
# What X's page allows in fact: its scripts may fetch from its picture host.
PICTURES_ALLOWED_CSP = STRICT_CSP.replace("connect-src 'self'", "connect-src 'self' https://pbs.twimg.com")
PICTURES = 4  # thread_first_post.html: one on post 1, two on post 2, one on post 4


def bookmarklet_body(site_url: str) -> str:
    """The code the bookmark runs: its `javascript:` URL, decoded, as the
    browser does when the bookmark is clicked."""
    url = build.bookmarklet(site_url=site_url)
    assert url.startswith("javascript:")
    return unquote(url.removeprefix("javascript:"))


def picture_bytes(url: str) -> tuple[bytes, str]:
    """A picture of its own for each address (its colour from the address),
    in the format the address names."""
    shade = sum(url.encode()) % 200
    image = Image.new("RGB", (64, 48), (shade, 90, 255 - shade))
    buffer = io.BytesIO()
    kind = "png" if "format=png" in url else "jpeg"
    image.save(buffer, kind.upper())
    return buffer.getvalue(), f"image/{kind}"


class FakeX:
    """x.com's post pages and its picture host, on routes of the context.
    `origins` records who asked for each picture with fetch (the Origin
    header), `missing` makes pictures answer 404."""

    def __init__(self, context: BrowserContext, live_url: str) -> None:
        self.csp = STRICT_CSP
        self.origins: list[tuple[str, str | None]] = []
        self.missing: set[str] = set()
        self.live_url = live_url
        # Anything not ours or routed below never reaches the network.
        context.route(lambda url: not url.startswith(live_url), lambda route: route.abort())
        context.route("https://x.com/**", self.page)
        context.route("https://pbs.twimg.com/**", self.picture)

    def page(self, route: Route) -> None:
        path = urlsplit(route.request.url).path
        fixture = {
            "/lenamarsh_dev/status/1865000000000000101": "thread_first_post.html",
            "/lenamarsh_dev/status/1865000000000000103": "thread_third_post.html",
            "/lenamarsh_dev/status/1865000000000000199": "no_post.html",
        }.get(path)
        if fixture is None:
            route.fulfill(status=404, body="")
            return
        headers = {"Content-Security-Policy": self.csp, "Content-Type": "text/html; charset=utf-8"}
        route.fulfill(status=200, headers=headers, body=(FIXTURES / fixture).read_text())

    def picture(self, route: Route) -> None:
        url = route.request.url
        if route.request.resource_type == "fetch":
            self.origins.append((url, route.request.header_value("origin")))
        if any(part in url for part in self.missing):
            route.fulfill(status=404, headers={"Access-Control-Allow-Origin": "*"}, body="")
            return
        body, kind = picture_bytes(url)
        route.fulfill(
            status=200, headers={"Content-Type": kind, "Access-Control-Allow-Origin": "*"}, body=body
        )

    def fetched_by(self, origin: str) -> list[str]:
        return [url for url, asker in self.origins if asker == origin]


@pytest.fixture
def fake_x(page: Page, live_server) -> FakeX:
    return FakeX(page.context, live_server.url)


@pytest.fixture
def errors(page: Page) -> list[str]:
    """Script errors in any page of the context (the popup's included)."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.context.on("page", lambda other: other.on("pageerror", lambda error: found.append(str(error))))
    return found


def run_bookmark(page: Page, live_url: str) -> None:
    """Run the bookmarklet's code in the page as a click on the bookmark
    does: as a script of its own, past the page's CSP, with the click's
    user activation (which lets it open a window)."""
    session = page.context.new_cdp_session(page)
    try:
        result = session.send(
            "Runtime.evaluate", {"expression": bookmarklet_body(live_url), "userGesture": True}
        )
    finally:
        session.detach()
    assert "exceptionDetails" not in result, result


def click_bookmark(page: Page, live_url: str) -> Page:
    """Run the bookmarklet on the page; the window it opens."""
    with page.context.expect_page() as opened:
        run_bookmark(page, live_url)
    window = opened.value
    window.wait_for_load_state()
    return window


def saved_thread(user: User) -> Thread:
    thread = Thread.objects.get(owner=user)
    assert thread.source_key == "1865000000000000101"
    assert thread.source_url == FIRST_POST
    assert (thread.author_name, thread.handle) == ("Lena Marsh", "lenamarsh_dev")
    assert thread.avatar, "the avatar was uploaded"
    return thread


def images_of(thread: Thread) -> list[PostImage]:
    return list(PostImage.objects.filter(post__thread=thread).order_by("post__position", "order"))


def test_the_bookmarklet_saves_the_thread_under_x_csp_and_a_second_run_updates_it(
    page: Page, live_server, fake_x: FakeX, errors: list[str], tmp_path: Path
):
    user = UserFactory(email="lena@example.com")
    sign_in(page, live_server.url, user.email)
    page.goto(FIRST_POST)
    expect(page.locator('article[data-testid="tweet"]').first).to_be_visible()

    refused = page.evaluate(
        "url => fetch(url).then(() => 'answered', () => 'refused')", f"{live_server.url}/healthz"
    )
    assert refused == "refused", "the page's CSP forbids calling our site"

    window = click_bookmark(page, live_server.url)
    expect(window).to_have_url(f"{live_server.url}/import/x/")
    expect(window.get_by_text("5 posts · 4 pictures")).to_be_visible()
    expect(window.get_by_text("Lena Marsh")).to_be_visible()
    expect(window.get_by_text("@lenamarsh_dev")).to_be_visible()
    expect(window.locator("[data-first-lines] li").first).to_contain_text(
        "I spent the winter writing a tiny ray tracer"
    )
    window.screenshot(path=tmp_path / "capture-receive.png", full_page=True)
    window.get_by_role("button", name="Save thread").click()
    expect(window).to_have_url(re.compile(r"/threads/\d+/editor/$"), timeout=20_000)

    thread = saved_thread(user)
    assert window.url.endswith(f"/threads/{thread.pk}/editor/")
    assert not thread.draft
    posts = list(Post.objects.filter(thread=thread).order_by("position"))
    assert len(posts) == 5
    assert [post.source_id for post in posts] == [f"186500000000000010{n}" for n in range(1, 6)]
    assert "🚀" in posts[0].text
    images = images_of(thread)
    assert len(images) == PICTURES
    assert all(not image.is_placeholder for image in images), "every picture was uploaded"
    assert [image.post.position for image in images] == [1, 2, 2, 4]
    assert all("name=orig" in image.source_url for image in images)
    # x.com's CSP stopped the bookmarklet's own fetches: our window fetched them.
    assert fake_x.fetched_by("https://x.com") == []
    assert len(set(fake_x.fetched_by(live_server.url))) == PICTURES + 1  # and the avatar
    kept = [(image.pk, image.file.name) for image in images]
    window.close()

    page.goto(THIRD_POST)  # the same thread, opened at its third post
    window = click_bookmark(page, live_server.url)
    expect(window.get_by_text("5 posts · 4 pictures")).to_be_visible()
    window.get_by_role("button", name="Save thread").click()
    expect(window).to_have_url(f"{live_server.url}/threads/{thread.pk}/editor/", timeout=20_000)

    assert Thread.objects.filter(owner=user).count() == 1, "updated, not saved twice"
    again = saved_thread(user)
    assert Post.objects.filter(thread=again).count() == 5
    assert [(image.pk, image.file.name) for image in images_of(again)] == kept, "its pictures were kept"
    assert errors == []


def test_pictures_the_page_may_fetch_come_as_blobs_and_a_missing_one_can_be_left_out(
    page: Page, live_server, fake_x: FakeX, errors: list[str], tmp_path: Path
):
    user = UserFactory(email="lena@example.com")
    fake_x.csp = PICTURES_ALLOWED_CSP
    fake_x.missing = {"GfRay03IjKl"}  # post 2's second picture
    sign_in(page, live_server.url, user.email)
    page.goto(FIRST_POST)

    window = click_bookmark(page, live_server.url)
    window.get_by_role("button", name="Save thread").click()
    notice = window.get_by_text("1 picture could not be fetched from X (post 2)")
    expect(notice).to_be_visible(timeout=20_000)
    window.screenshot(path=tmp_path / "capture-missing.png", full_page=True)
    assert Thread.objects.get(owner=user).draft, "a draft until the picture comes or the user says so"
    expect(window.get_by_role("link", name="Open the thread to add them")).to_have_attribute(
        "href", re.compile(r"/threads/\d+/\?post=2$")
    )
    window.get_by_role("button", name="Finish without them").click()
    expect(window).to_have_url(re.compile(r"/threads/\d+/editor/$"), timeout=20_000)

    thread = saved_thread(user)
    assert not thread.draft
    images = images_of(thread)
    assert [image.is_placeholder for image in images] == [False, False, True, False]
    assert "GfRay03IjKl" in images[2].source_url
    # The bookmarklet sent the pictures it could fetch; the window only
    # tried again the one X refused.
    assert len(set(fake_x.fetched_by("https://x.com"))) == PICTURES + 1
    assert {urlsplit(url).path for url in fake_x.fetched_by(live_server.url)} == {"/media/GfRay03IjKl"}
    assert errors == []


def test_signed_out_the_thread_waits_for_the_sign_in_then_saves(
    page: Page, live_server, fake_x: FakeX, errors: list[str], tmp_path: Path
):
    user = UserFactory(email="lena@example.com")
    page.goto(FIRST_POST)

    window = click_bookmark(page, live_server.url)
    expect(window.get_by_text("5 posts · 4 pictures")).to_be_visible()
    window.screenshot(path=tmp_path / "capture-signed-out.png", full_page=True)
    window.get_by_role("link", name="Sign in to save it").click()
    window.get_by_label("Email").fill(user.email)
    window.get_by_label("Password").fill(PASSWORD)
    window.get_by_role("button", name="Sign In").click()
    expect(window).to_have_url(f"{live_server.url}/import/x/")
    expect(window.get_by_text("5 posts · 4 pictures")).to_be_visible()
    window.get_by_role("button", name="Save thread").click()
    expect(window).to_have_url(re.compile(r"/threads/\d+/editor/$"), timeout=20_000)

    thread = saved_thread(user)
    assert all(not image.is_placeholder for image in images_of(thread))
    assert errors == []


def test_the_window_ignores_a_thread_sent_from_another_site(page: Page, live_server, fake_x: FakeX):
    def elsewhere(route: Route) -> None:
        route.fulfill(status=200, headers={"Content-Type": "text/html"}, body="<title>Elsewhere</title>")

    page.context.route("https://elsewhere.example/**", elsewhere)
    UserFactory(email="lena@example.com")
    page.goto("https://elsewhere.example/")
    with page.context.expect_page() as opened:
        page.evaluate("url => { window.receiver = window.open(url); }", f"{live_server.url}/import/x/")
    window = opened.value
    expect(window.get_by_text("Waiting for the thread from X…")).to_be_visible()
    # A listener added after the page's own hears the message after it did.
    window.evaluate(
        "() => { window.heard = new Promise(done => addEventListener('message', e => done(e.origin))); }"
    )
    page.evaluate(
        """() => window.receiver.postMessage({
            type: "thread-navigator:thread",
            thread: {author: {name: "Mallory", handle: "mallory"}, posts: [{text: "Not from X."}]},
        }, "*")"""
    )

    assert window.evaluate("window.heard") == "https://elsewhere.example"
    expect(window.get_by_text("Waiting for the thread from X…")).to_be_visible()
    expect(window.get_by_text("Mallory")).to_have_count(0)
    assert window.evaluate("sessionStorage.length") == 0
    assert not Thread.objects.exists()


def test_a_page_the_reader_cannot_read_says_why_and_opens_nothing(page: Page, live_server, fake_x: FakeX):
    page.goto("https://x.com/lenamarsh_dev/status/1865000000000000199")  # a deleted post
    messages: list[str] = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    opened: list[Page] = []
    page.context.on("page", lambda other: opened.append(other))

    run_bookmark(page, live_server.url)

    assert messages == ["This page shows no post: open a post on x.com and try again."]
    assert opened == []


def test_opened_by_hand_the_window_says_where_threads_come_from(page: Page, live_server):
    page.goto(f"{live_server.url}/import/x/")

    expect(page.get_by_text("Nothing to save yet: click the bookmark on a post on x.com.")).to_be_visible()
    expect(page.get_by_role("link", name="Get the bookmarklet or the extension")).to_have_attribute(
        "href", "/extension/"
    )
