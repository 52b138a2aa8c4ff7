"""The browser extension, built for the live server and loaded unpacked into
the system Chromium: on an X post page (a fixture answered under its x.com
address; X's picture hosts answered with pictures made here, so nothing
leaves the machine) "Save thread" reads the thread, and "Send" saves it
with its pictures and avatar into the account whose token the options page
holds, then opens the editor. Saving again updates the same thread."""

import io
import json
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Playwright, Route, expect

from accounts.models import ApiToken
from accounts.services import token_create
from frontend.extension import build
from frontend.extension.build import build_extension, extension_zip
from tests.factories import UserFactory
from tests.frontend.conftest import CHROMIUM, live_requests
from tests.frontend.test_browser_exports import sign_in
from threads.models import PostImage, Thread

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).parent / "fixtures" / "x"
LENA = "https://x.com/lenamarsh_dev/status/18650000000000001"
PAGES = {
    "/lenamarsh_dev/status/1865000000000000101": "thread_first_post.html",
    "/lenamarsh_dev/status/1865000000000000103": "thread_third_post.html",
    "/tomas_bakes/status/1866000000000000201": "thread_then_replies.html",
    "/priya_maps/status/1867000000000000301": "login_wall.html",
    "/ines_plots/status/1868000000000000401": "long_thread_virtual.html",
}
# Each picture X would serve, with a size of its own: the size the site
# records for a filled image says which picture went where.
PICTURES = {
    "GfRay01AbCd": (320, 200, "#c2410c"),
    "GfRay02EfGh": (300, 300, "#1d4ed8"),
    "GfRay03IjKl": (240, 180, "#15803d"),
    "GfRay04MnOp": (400, 225, "#7e22ce"),
}
AVATAR = (400, 400, "#0f766e")
SAVED = "Saved 5 posts, 4 pictures. The editor opened in a new tab."


def picture(width: int, height: int, color: str, kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=kind)
    return buffer.getvalue()


class FakeX:
    """Answers x.com and X's picture hosts from here, counting what the
    extension fetched. `missing`: pictures that answer 404."""

    def __init__(self) -> None:
        self.fetched: Counter[str] = Counter()
        self.missing: set[str] = set()

    def page(self, route: Route) -> None:
        name = PAGES.get(urlsplit(route.request.url).path)
        if name is None:
            route.fulfill(status=404, body="not in the fixtures")
            return
        route.fulfill(path=FIXTURES / name, content_type="text/html; charset=utf-8")

    def picture(self, route: Route) -> None:
        """A picture; counted when at full size (the page itself shows the
        small ones, the extension fetches the full ones)."""
        url = route.request.url
        key = urlsplit(url).path.rsplit("/", 1)[-1]
        if "/profile_images/" in url:
            key = "avatar"
        if "name=orig" in url or "_400x400" in url:
            self.fetched[key] += 1
        if key in self.missing:
            route.fulfill(status=404)
        elif key == "avatar":
            route.fulfill(body=picture(*AVATAR, "JPEG"), content_type="image/jpeg")
        else:
            kind = "PNG" if "format=png" in route.request.url else "JPEG"
            size = PICTURES.get(key, (200, 120, "#64748b"))
            route.fulfill(body=picture(*size, kind), content_type=f"image/{kind.lower()}")

    def emoji(self, route: Route) -> None:
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36">'
            '<circle cx="18" cy="18" r="16" fill="#fc3"/></svg>'
        )
        route.fulfill(body=svg, content_type="image/svg+xml")


@pytest.fixture
def fake_x() -> FakeX:
    return FakeX()


@pytest.fixture
def extended(playwright: Playwright, live_server, tmp_path: Path, fake_x: FakeX) -> Iterator[BrowserContext]:
    """Chromium with the extension built for the live server. Chromium's
    new headless mode (`--headless`, the only one since Chromium 132) runs
    extensions; a persistent context is what loads them."""
    extension = build_extension(target="chromium", site_url=live_server.url, out_dir=tmp_path / "extension")
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
        ],
    )
    # Routes on the context also catch the extension's service worker.
    context.route("https://x.com/**", fake_x.page)
    context.route("https://pbs.twimg.com/**", fake_x.picture)
    context.route("https://abs-0.twimg.com/**", fake_x.emoji)
    context.route("https://abs.twimg.com/**", fake_x.emoji)
    yield context
    context.close()
    deadline = time.monotonic() + 10
    while live_requests() and time.monotonic() < deadline:
        time.sleep(0.02)


def extension_id(context: BrowserContext) -> str:
    worker = (
        context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    )
    return urlsplit(worker.url).hostname or ""


def connect_with_token(context: BrowserContext, user) -> Page:
    """Paste a real import token in the options page and check it."""
    _, key = token_create(user=user, name="Browser extension", scope=ApiToken.Scope.IMPORT)
    options = context.new_page()
    options.goto(f"chrome-extension://{extension_id(context)}/options.html")
    options.get_by_label("API token").fill(key)
    options.get_by_role("button", name="Check").click()
    expect(options.locator("#state")).to_have_text(f"Connected as {user.email}.")
    return options


def save_thread(context: BrowserContext, page: Page, summary: str) -> Page:
    """Click Save thread, check what it found, send it; the editor's tab."""
    page.get_by_role("button", name="Save thread").click()
    panel = page.get_by_role("dialog", name="Save this thread?")
    expect(panel).to_contain_text(summary)
    with context.expect_page() as editor:
        panel.get_by_role("button", name="Send to Thread Navigator").click()
    expect(page.get_by_role("dialog")).to_contain_text(SAVED)
    return editor.value


def assert_lena_saved(thread: Thread) -> None:
    assert thread.source_url == f"{LENA}01"
    assert (thread.author_name, thread.handle, thread.draft) == ("Lena Marsh", "lenamarsh_dev", False)
    assert thread.avatar
    assert Image.open(thread.avatar).size == AVATAR[:2]
    posts = list(thread.posts.order_by("position"))
    assert [post.source_id for post in posts] == [f"18650000000000001{n:02}" for n in range(1, 6)]
    assert posts[1].text.endswith(
        "The book that got me going: https://example.org/books/mathematics-for-graphics"
    )
    assert posts[4].text == "Code and notes: https://github.com/lenamarsh/tinyray\nThanks for reading 🧑‍💻"
    assert "🚀\n\nWhat clicked" in posts[0].text
    images = {
        (image.post.position, image.order): image for image in PostImage.objects.filter(post__thread=thread)
    }
    assert len(images) == 4
    assert all(not image.is_placeholder for image in images.values())
    sizes = {key: (image.width, image.height) for key, image in images.items()}
    first_of = {position: min(order for p, order in images if p == position) for position, _ in images}
    assert sizes[(1, first_of[1])] == PICTURES["GfRay01AbCd"][:2]
    assert sorted(size for (position, _), size in sizes.items() if position == 2) == sorted(
        [PICTURES["GfRay02EfGh"][:2], PICTURES["GfRay03IjKl"][:2]]
    )
    assert sizes[(4, first_of[4])] == PICTURES["GfRay04MnOp"][:2]
    alts = {image.source_url: image.alt for image in images.values()}
    assert (
        alts["https://pbs.twimg.com/media/GfRay02EfGh?format=jpg&name=orig"]
        == "A grey sphere lit from the upper left"
    )


def test_save_a_thread_with_its_pictures_then_again(
    extended: BrowserContext, live_server, fake_x: FakeX, tmp_path
):
    user = UserFactory(email="lena.reader@example.com")
    problems: list[str] = []
    connect_with_token(extended, user)
    sign_in(extended.new_page(), live_server.url, user.email)

    page = extended.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{LENA}01")
    editor = save_thread(extended, page, "5 posts, 4 pictures by Lena Marsh (@lenamarsh_dev).")
    page.screenshot(path=tmp_path / "extension-saved.png")

    thread = Thread.objects.get(owner=user)
    expect(editor).to_have_url(f"{live_server.url}/threads/{thread.pk}/editor/")
    assert_lena_saved(thread)
    assert fake_x.fetched == Counter({**dict.fromkeys(PICTURES, 1), "avatar": 1})

    # Again, from the thread's third post: the same thread, updated in place;
    # the pictures it already has are not fetched again.
    page.goto(f"{LENA}03")
    save_thread(extended, page, "5 posts, 4 pictures by Lena Marsh (@lenamarsh_dev).")
    assert list(Thread.objects.filter(owner=user).values_list("pk", flat=True)) == [thread.pk]
    assert_lena_saved(Thread.objects.get(pk=thread.pk))
    assert fake_x.fetched == Counter({**dict.fromkeys(PICTURES, 1), "avatar": 2})
    assert problems == []


def test_a_long_thread_is_read_by_scrolling_through_it(extended: BrowserContext, live_server, fake_x: FakeX):
    """Like X, the page keeps only the posts near the screen: the extension
    scrolls through the thread to read all eight posts, then saves them."""
    user = UserFactory(email="ines.reader@example.com")
    connect_with_token(extended, user)
    page = extended.new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("https://x.com/ines_plots/status/1868000000000000401")
    assert page.locator("article").count() == 3
    page.get_by_role("button", name="Save thread").click()
    panel = page.get_by_role("dialog", name="Save this thread?")
    expect(panel).to_contain_text("8 posts, 2 pictures by Inês Duarte (@ines_plots).")
    assert page.evaluate("() => window.scrollY") == 0, "the page is back where the user left it"
    with extended.expect_page():
        panel.get_by_role("button", name="Send to Thread Navigator").click()
    expect(page.get_by_role("dialog")).to_contain_text("Saved 8 posts, 2 pictures.")
    thread = Thread.objects.get(owner=user)
    posts = list(thread.posts.order_by("position"))
    assert [post.source_id for post in posts] == [f"18680000000000004{n:02}" for n in range(1, 9)]
    assert posts[7].text == "7. Show the chart to someone for five seconds and ask what it says."
    assert [post.images.count() for post in posts] == [0, 1, 0, 0, 0, 0, 1, 0]
    assert not PostImage.objects.filter(post__thread=thread, file="").exists()


def test_missing_pictures_can_be_left_out(extended: BrowserContext, live_server, fake_x: FakeX):
    user = UserFactory(email="lena.partial@example.com")
    fake_x.missing = {"GfRay04MnOp"}
    connect_with_token(extended, user)

    page = extended.new_page()
    page.goto(f"{LENA}01")
    page.get_by_role("button", name="Save thread").click()
    page.get_by_role("button", name="Send to Thread Navigator").click()
    panel = page.get_by_role("dialog", name="Saved, but pictures are missing")
    expect(panel).to_contain_text(
        "Saved 5 posts, 3 pictures. 1 picture could not be fetched: "
        "open the thread to add them or finish without them."
    )
    thread = Thread.objects.get(owner=user)
    assert thread.draft, "a thread waiting for its pictures stays a draft"

    with extended.expect_page() as editor:
        panel.get_by_role("button", name="Finish without them").click()
    expect(page.get_by_role("dialog")).to_contain_text("Finished without the missing pictures.")
    assert editor.value.url.startswith(live_server.url)
    thread.refresh_from_db()
    assert not thread.draft
    missing = PostImage.objects.get(post__thread=thread, post__position=4)
    assert missing.is_placeholder
    assert missing.alt.startswith("Two teapots")


def test_a_page_that_cannot_be_read_says_so_and_saves_nothing(extended: BrowserContext, tmp_path):
    user = UserFactory(email="signed.out@example.com")
    connect_with_token(extended, user)

    page = extended.new_page()
    page.goto("https://x.com/priya_maps/status/1867000000000000301")
    page.get_by_role("button", name="Save thread").click()
    panel = page.get_by_role("dialog", name="Nothing to save here")
    expect(panel).to_contain_text(
        "X is showing its log-in page instead of the post: log in on x.com, open the post again and retry."
    )
    page.screenshot(path=tmp_path / "extension-login-wall.png")
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()
    assert not Thread.objects.filter(owner=user).exists()


def test_the_button_follows_x_from_page_to_page(extended: BrowserContext, tmp_path):
    """X moves between pages without loading one: the button shows on post
    pages only, and the panel names what it found, posts cut short too."""
    page = extended.new_page()
    page.goto("https://x.com/home")
    save = page.get_by_role("button", name="Save thread")
    expect(save).to_be_hidden()
    page.goto("https://x.com/tomas_bakes/status/1866000000000000201")
    page.evaluate("() => history.pushState({}, '', '/tomas_bakes')")
    expect(save).to_be_hidden()
    page.evaluate("() => history.pushState({}, '', '/tomas_bakes/status/1866000000000000201')")
    save.click()
    panel = page.get_by_role("dialog", name="Save this thread?")
    expect(panel).to_contain_text("3 posts, 3 pictures by Tomás Reyes 🥖 (@tomas_bakes).")
    expect(panel).to_contain_text(
        "Post 2 is cut short on this page (“Show more”): saved as shown, add the rest in the editor."
    )
    page.screenshot(path=tmp_path / "extension-found.png")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(save).to_be_focused()


def test_without_a_token_the_panel_points_to_the_settings(extended: BrowserContext):
    page = extended.new_page()
    page.goto(f"{LENA}01")
    page.get_by_role("button", name="Save thread").click()
    page.get_by_role("button", name="Send to Thread Navigator").click()
    panel = page.get_by_role("dialog", name="Not saved")
    expect(panel).to_contain_text("Connect the extension to your Thread Navigator account first")
    with extended.expect_page() as options:
        panel.get_by_role("button", name="Open the settings").click()
    expect(options.value).to_have_url(f"chrome-extension://{extension_id(extended)}/options.html")
    assert not Thread.objects.exists()


def test_connect_with_the_website_session(extended: BrowserContext, live_server, tmp_path):
    """Connect: the options page opens the site's consent page; allowing
    it hands the extension an import-only token, the tab closes and the
    options page says whose account it is connected to."""
    user = UserFactory(email="connector@example.com")
    sign_in(extended.new_page(), live_server.url, user.email)
    options = extended.new_page()
    options.goto(f"chrome-extension://{extension_id(extended)}/options.html")
    expect(options.locator("#state")).to_contain_text("Not connected yet")

    with extended.expect_page() as opened:
        options.get_by_role("button", name="Connect with your account").click()
    consent = opened.value
    expect(consent).to_have_url(f"{live_server.url}/extension/connect/")
    with consent.expect_event("close"):
        consent.get_by_role("button", name="Allow").click()

    expect(options.locator("#state")).to_have_text(f"Connected as {user.email}.")
    options.screenshot(path=tmp_path / "extension-options.png", full_page=True)
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope) == ("Browser extension", ApiToken.Scope.IMPORT)
    expect(options.get_by_role("button", name="Disconnect")).to_be_visible()


def test_a_done_link_the_extension_did_not_open_hands_over_nothing(extended: BrowserContext, live_server):
    """Someone sends a link to the done page carrying their own token: the
    extension keeps only a token from the tab it opened to connect (else
    the user's saves would land in the sender's account)."""
    user = UserFactory(email="careful@example.com")
    sign_in(extended.new_page(), live_server.url, user.email)
    foreign = extended.new_page()
    foreign.goto(f"{live_server.url}/extension/connect/done/#token=somebody-elses-token")
    options = extended.new_page()
    options.goto(f"chrome-extension://{extension_id(extended)}/options.html")

    with extended.expect_page() as opened:
        options.get_by_role("button", name="Connect with your account").click()
    with opened.value.expect_event("close"):
        opened.value.get_by_role("button", name="Allow").click()

    expect(options.locator("#state")).to_have_text(f"Connected as {user.email}.")
    assert not foreign.is_closed(), "the foreign link's tab was taken for the connect flow's"


# The build: one code base, two manifests that differ only where they must.


def test_chromium_and_firefox_builds_differ_only_in_the_background_and_gecko(tmp_path):
    site = "https://threadnavigator.example:8443"
    chromium = json.loads(extension_zip_file(target="chromium", site_url=site, name="manifest.json"))
    firefox = json.loads(extension_zip_file(target="firefox", site_url=site, name="manifest.json"))
    assert chromium.pop("background") == {"service_worker": "background.js"}
    assert firefox.pop("background") == {"scripts": ["background.js"]}
    gecko = firefox.pop("browser_specific_settings")["gecko"]
    assert gecko["id"] == "extension@threadnavigator.example"
    assert chromium == firefox
    assert chromium["manifest_version"] == 3
    assert chromium["host_permissions"] == [
        "https://x.com/*",
        "https://twitter.com/*",
        "https://mobile.twitter.com/*",
        "https://pbs.twimg.com/*",
        "https://abs.twimg.com/*",
        "https://threadnavigator.example/*",
        "http://127.0.0.1/*",
        "http://localhost/*",
    ]
    background = extension_zip_file(target="firefox", site_url=site, name="background.js").decode()
    assert background.startswith(
        'var ThreadNavigatorConfig = {"site": "https://threadnavigator.example:8443"'
    )


def extension_zip_file(*, target: str, site_url: str, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(extension_zip(target=target, site_url=site_url))) as archive:
        return archive.read(name)


def test_the_zip_is_the_same_bytes_for_the_same_sources():
    first = extension_zip(target="chromium", site_url="https://threadnavigator.example")
    assert first == extension_zip(target="chromium", site_url="https://threadnavigator.example")
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert set(archive.namelist()) == {
            "manifest.json",
            "content.js",
            "background.js",
            "options.html",
            "options.js",
            "options.css",
            *(f"icons/icon-{size}.png" for size in (16, 32, 48, 128)),
        }


def test_the_command_line_builds_a_folder(tmp_path):
    out = tmp_path / "firefox"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "frontend.extension.build",
            "--target",
            "firefox",
            "--site",
            "https://a.example",
            "--out",
            out,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"Built the firefox extension for https://a.example in {out}" in done.stdout
    assert json.loads((out / "manifest.json").read_text())["background"] == {"scripts": ["background.js"]}
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "frontend.extension.build",
            "--target",
            "firefox",
            "--site",
            "ftp://a",
            "--out",
            out,
        ],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "must start with http:// or https://" in refused.stderr


def test_the_bookmarklet_needs_its_script(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "SRC", tmp_path)
    with pytest.raises(FileNotFoundError, match="The bookmarklet's script is missing"):
        build.bookmarklet(site_url="https://a.example")
