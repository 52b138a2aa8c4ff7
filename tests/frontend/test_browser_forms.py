"""The website's forms in a real browser: import by Preview then Import
(pasted or a chosen JSON file), the thread's title and author with its
avatar, the bulk form after a refusal, revoking a token and removing a
webhook only once confirmed, and dropping files where they go."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Page, expect

from accounts.models import ApiToken
from accounts.services import token_create
from tests.factories import UserFactory, png_bytes, thread_with_posts
from tests.frontend.test_browser_exports import sign_in
from threads import services
from threads.models import PostImage, Thread
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db(transaction=True)

GREEN = "#00ff00"
THREAD_JSON = {
    "title": "Five habits of clear writing",
    "author": {"name": "Ada Writes", "handle": "adawrites"},
    "posts": [
        {"text": "One idea per sentence."},
        {"text": "Verbs over nouns."},
        {"text": "שלום — read it aloud."},
    ],
}


def watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    return problems


def unexpected(problems: list[str]) -> list[str]:
    """All but Chromium's note on a form refused with a 400, which is meant."""
    return [problem for problem in problems if "status of 400 (Bad Request)" not in problem]


def shoot(page: Page, name: str) -> None:
    """The page at a desktop and a phone width, for a person to look at."""
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        # A fixed place a person can find them: /tmp/forms-*.png.
        page.screenshot(path=f"/tmp/forms-{name}-{width}.png", full_page=True)  # noqa: S108
    page.set_viewport_size({"width": 1280, "height": 900})


def test_preview_then_import_a_chosen_json_file(page: Page, live_server, tmp_path):
    user = UserFactory(email="importer@example.com")
    problems = watch(page)
    sign_in(page, live_server.url, user.email)
    chosen = tmp_path / "thread.json"
    chosen.write_text(json.dumps(THREAD_JSON, ensure_ascii=False), encoding="utf-8")

    page.goto(f"{live_server.url}/threads/import/")
    page.get_by_label("…or choose a JSON file").set_input_files(chosen)
    page.get_by_role("button", name="Preview").click()

    found = page.get_by_role("region", name="What we found")
    expect(found.get_by_role("listitem")).to_have_count(3)
    expect(found).to_contain_text("Ada Writes")
    expect(page.get_by_label("Thread JSON")).to_be_checked()
    assert json.loads(page.get_by_label("Paste the thread").input_value()) == THREAD_JSON
    shoot(page, "import-preview")
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="Post 1 of 3")).to_be_visible()
    thread = Thread.objects.get(owner=user)
    assert (thread.title, thread.author_name, thread.handle) == (
        THREAD_JSON["title"],
        "Ada Writes",
        "adawrites",
    )
    assert unexpected(problems) == []


def test_preview_then_import_pasted_text_then_add_the_author(page: Page, live_server):
    user = UserFactory(email="paster@example.com")
    problems = watch(page)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/import/")
    page.get_by_label("Paste the thread").fill("1/ Plant in spring.\n\n2/ Water weekly.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("region", name="What we found").get_by_role("listitem")).to_have_count(2)
    page.get_by_role("button", name="Import").click()

    invite = page.get_by_role("region", name="Who wrote this?")
    expect(invite).to_be_visible()
    invite.get_by_label("Handle").fill("not a handle!")
    invite.get_by_role("button", name="Save title and author").click()
    expect(
        page.get_by_text("A handle is 1-30 letters, digits or underscores, with or without @.")
    ).to_be_visible()
    expect(page.get_by_label("Handle")).to_have_attribute("aria-invalid", "true")
    shoot(page, "thread-author-refused")
    page.get_by_label("Author's name").fill("Grace Gardens")
    page.get_by_label("Handle").fill("@gracegardens")
    page.get_by_role("button", name="Save title and author").click()

    expect(page.get_by_text("The title and author are saved.")).to_be_visible()
    expect(page.get_by_role("region", name="Who wrote this?")).to_have_count(0)
    expect(page.locator(".post-author")).to_contain_text("@gracegardens")
    thread = Thread.objects.get(owner=user)
    assert (thread.author_name, thread.handle) == ("Grace Gardens", "gracegardens")
    assert unexpected(problems) == []


def green_pixels(content: bytes) -> int:
    image = Image.open(io.BytesIO(content)).convert("RGB")
    return sum(1 for pixel in image.getdata() if pixel[1] > 230 and pixel[0] < 40 and pixel[2] < 40)


def preview_card(page: Page, base: str, thread: Thread) -> bytes:
    csrf = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    response = page.request.post(
        f"{base}/api/v1/render/preview/",
        data={"thread": thread.pk, "kind": "cards", "page": 1},
        headers={"X-CSRFToken": csrf, "Referer": f"{base}/"},
    )
    assert response.ok, response.text()
    return response.body()


def test_an_avatar_uploaded_and_removed_on_the_thread_page_shows_in_the_card(
    page: Page, live_server, tmp_path
):
    user = UserFactory(email="avatars@example.com")
    thread = thread_with_posts(user, "A post with its author above it.", title="Pictured")
    problems = watch(page)
    sign_in(page, live_server.url, user.email)
    picture = tmp_path / "face.png"
    picture.write_bytes(png_bytes(64, 64, GREEN))
    before = green_pixels(preview_card(page, live_server.url, thread))

    page.goto(f"{live_server.url}/threads/{thread.pk}/")
    page.get_by_text("Edit the title and author").click()
    page.get_by_label("Title").fill("Pictured, retitled")
    page.get_by_label("Avatar").set_input_files(picture)
    page.get_by_role("button", name="Save title and author").click()

    expect(page.get_by_text("The title and author are saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pictured, retitled")
    expect(page.locator(".post-author img.avatar")).to_be_visible()
    thread.refresh_from_db()
    stored = thread.avatar.name
    assert page.request.get(f"{live_server.url}/api/v1/threads/{thread.pk}/avatar/").ok
    assert green_pixels(preview_card(page, live_server.url, thread)) > before + 500
    shoot(page, "thread")

    page.get_by_text("Edit the title and author").click()
    page.get_by_role("button", name="Remove the avatar").click()

    expect(page.get_by_text("The avatar is removed")).to_be_visible()
    expect(page.locator(".post-author img.avatar")).to_have_count(0)
    assert page.request.get(f"{live_server.url}/api/v1/threads/{thread.pk}/avatar/").status == 404
    assert green_pixels(preview_card(page, live_server.url, thread)) == before
    assert not default_storage.exists(stored)
    assert unexpected(problems) == []


def test_the_bulk_form_keeps_the_chosen_threads_and_says_what_is_wrong(page: Page, live_server):
    user = UserFactory(email="bulk-form@example.com")
    for title in ("Alpha", "Bravo", "Charlie"):
        thread_with_posts(user, f"{title} says hello.", title=title)
    problems = watch(page)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/exports/")
    scale = page.get_by_label("Scale")
    expect(scale.locator("option[value='3']")).to_be_disabled()
    expect(scale.locator("option[value='3']")).to_have_text("3× · Pro")
    page.get_by_label("Threads").select_option(label=["Alpha", "Charlie"])
    page.get_by_label("Cards, one per post").check()
    page.get_by_label("Images as").select_option("pdf")
    page.get_by_role("button", name="Export", exact=True).click()

    expect(
        page.get_by_text("PDF is for carousels only: under “Each thread as” tick only Carousel")
    ).to_be_visible()
    chosen = page.get_by_label("Threads")
    expect(chosen.locator("option:checked")).to_have_text(["Charlie", "Alpha"])  # newest first
    expect(page.get_by_label("Cards, one per post")).to_be_checked()
    expect(page.get_by_label("Images as")).to_have_value("pdf")
    shoot(page, "exports-error")
    page.get_by_label("Images as").select_option("png")
    page.get_by_role("button", name="Export", exact=True).click()

    row = page.locator("tr[data-job]").first
    expect(row.locator(".job-title")).to_have_text("2 threads")
    expect(row).to_contain_text("carousel, cards · PNG")
    shoot(page, "exports")
    assert unexpected(problems) == []


def test_revoking_a_token_and_removing_a_webhook_ask_first(page: Page, live_server):
    user = UserFactory(email="keys@example.com")
    token_create(user=user, name="laptop")
    token_create(user=user, name="zapier")
    Endpoint.objects.create(owner=user, url="https://example.com/hook")
    problems = watch(page)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/api-keys/")
    expect(page.get_by_text("Revoking one stops whatever uses it at once")).to_be_visible()
    shoot(page, "api-keys")
    page.get_by_role("link", name="Revoke laptop…").click()

    expect(page.get_by_role("heading", name="Revoke the token “laptop”?")).to_be_visible()
    expect(page.get_by_text("401 Unauthorized")).to_be_visible()
    assert ApiToken.objects.filter(name="laptop").exists(), "asking is not revoking"
    shoot(page, "token-revoke")
    page.get_by_role("link", name="Keep it").click()
    expect(page).to_have_url(f"{live_server.url}/api-keys/")
    assert ApiToken.objects.filter(name="laptop").exists()
    page.get_by_role("link", name="Revoke laptop…").click()
    page.get_by_role("button", name="Revoke the token").click()

    expect(page.get_by_text("was revoked; it no longer works.")).to_be_visible()
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["zapier"]

    page.get_by_role("link", name="Remove the webhook https://example.com/hook…").click()
    expect(page.get_by_role("heading", name="Remove this webhook?")).to_be_visible()
    assert Endpoint.objects.exists()
    page.get_by_role("button", name="Remove the webhook").click()
    expect(page.get_by_text("The webhook was removed")).to_be_visible()
    assert not Endpoint.objects.exists()
    assert unexpected(problems) == []


DROP = """([selector, name, type, content]) => {
  const transfer = new DataTransfer();
  const bytes = Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
  transfer.items.add(new File([bytes], name, { type }));
  const target = document.querySelector(selector);
  for (const kind of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


def drop_file(page: Page, selector: str, name: str, kind: str, content: bytes) -> None:
    import base64

    page.evaluate(DROP, [selector, name, kind, base64.b64encode(content).decode()])


def test_a_json_file_dropped_on_the_paste_box_fills_it(page: Page, live_server):
    user = UserFactory(email="dropper@example.com")
    problems = watch(page)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/import/")
    page.wait_for_load_state()
    expect(page.get_by_text("…or drop a .json or .txt file onto the box.")).to_be_visible()
    drop_file(
        page, "[data-drop-zone] textarea", "thread.json", "application/json", json.dumps(THREAD_JSON).encode()
    )

    expect(page.get_by_label("Thread JSON")).to_be_checked()
    assert json.loads(page.get_by_label("Paste the thread").input_value()) == THREAD_JSON
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Post 1 of 3")).to_be_visible()
    assert unexpected(problems) == []


def test_an_image_dropped_on_a_post_is_added_to_it(page: Page, live_server):
    user = UserFactory(email="image-dropper@example.com")
    thread = thread_with_posts(user, "One.", "Two.", title="Dropped")
    problems = watch(page)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/?post=2")
    page.wait_for_load_state()
    drop_file(page, ".post-view .post-text", "red.png", "image/png", png_bytes(30, 20, "#ff0000"))

    expect(page.get_by_text("Image added to post 2.")).to_be_visible()
    assert PostImage.objects.get().post.position == 2
    assert unexpected(problems) == []


def test_a_numbered_paste_invites_the_author_until_one_is_set(page: Page, live_server):
    user = UserFactory(email="invited@example.com")
    thread = services.thread_import(owner=user, format="text", content="1/ First.\n\n2/ Second.")
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/")
    expect(page.get_by_role("heading", name="Who wrote this?")).to_be_visible()
    services.thread_set_avatar(thread=thread, upload=SimpleUploadedFile("a.png", png_bytes()))
    page.reload()
    expect(page.get_by_role("heading", name="Who wrote this?")).to_be_visible()
    services.thread_update(thread=thread, changes={"author_name": "Someone"})
    page.reload()
    expect(page.get_by_role("heading", name="Who wrote this?")).to_have_count(0)


def test_hebrew_and_english_posts_each_read_in_their_own_direction(page: Page, live_server):
    user = UserFactory(email="bidi@example.com")
    thread = services.thread_import(
        owner=user,
        format="json",
        content={
            "title": "חמישה הרגלים — five habits",
            "author": {"name": "דנה כהן", "handle": "dana"},
            "posts": [
                {"text": "שלום! הפוסט הראשון, with an English tail."},
                {"text": "The second post is English, with one Hebrew word: שלום."},
                {"text": "פסקה בעברית.\n\nAnd a paragraph in English."},
            ],
        },
    )
    problems = watch(page)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/?post=3")
    snippets = page.get_by_role("navigation", name="Posts").locator(".post-snippet")
    directions = snippets.evaluate_all("(spans) => spans.map((span) => getComputedStyle(span).direction)")
    paragraphs = page.locator(".post-view .post-text p")
    expect(paragraphs).to_have_count(2)
    text = page.locator(".post-view .post-text").bounding_box()
    right_edge = page.locator(".post-view .post-text p").first.evaluate(
        "(p) => { const range = document.createRange(); range.selectNodeContents(p);"
        " return range.getBoundingClientRect().right; }"
    )
    left_edge = (
        page.locator(".post-view .post-text p")
        .nth(1)
        .evaluate(
            "(p) => { const range = document.createRange(); range.selectNodeContents(p);"
            " return range.getBoundingClientRect().left; }"
        )
    )
    shoot(page, "thread-hebrew")

    assert directions == ["rtl", "ltr", "rtl"]
    assert text is not None
    assert abs(right_edge - (text["x"] + text["width"])) < 2, "the Hebrew paragraph starts at the right"
    assert abs(left_edge - text["x"]) < 2, "the English one at the left"
    assert page.get_by_role("heading", level=1).evaluate("(h) => getComputedStyle(h).direction") == "rtl"
    assert unexpected(problems) == []


def test_posts_reorder_by_dragging_or_by_the_move_buttons(page: Page, live_server):
    user = UserFactory(email="reorder@example.com")
    thread = thread_with_posts(user, "Alpha.", "Bravo.", "Charlie.", title="Reordered")
    problems = watch(page)
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/?post=3")
    page.get_by_role("button", name="Move post 3 up").click()
    expect(page.get_by_text("Post 3 is now post 2.")).to_be_visible()
    expect(page.get_by_role("heading", name="Post 2 of 3")).to_be_visible()
    posts = page.get_by_role("navigation", name="Posts").get_by_role("listitem")
    expect(posts).to_have_text(["1 Alpha.", "2 Charlie.", "3 Bravo."])
    page.wait_for_load_state()
    posts.nth(2).drag_to(posts.nth(0))

    expect(page.get_by_text("Post 3 is now post 1.")).to_be_visible()
    expect(posts).to_have_text(["1 Bravo.", "2 Alpha.", "3 Charlie."])
    assert list(thread.posts.order_by("position").values_list("text", flat=True)) == [
        "Bravo.",
        "Alpha.",
        "Charlie.",
    ]
    expect(page.get_by_role("button", name="Move post 1 up")).to_be_disabled()
    shoot(page, "thread-reordered")
    assert unexpected(problems) == []
