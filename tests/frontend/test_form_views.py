"""Each form's POST view through Django's test client: it redirects when
the input is good, answers 400 with the page and a message naming the
field when it is not (never a 500), 404 for another user's row, and 405
to a GET."""

import html as html_module
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import ApiToken, Plan
from accounts.services import token_create
from rendering.models import Job
from tests.factories import png_bytes, thread_with_posts
from threads import services
from threads.models import PostImage, StylePreset, Thread
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "One.", "Two.", title="Mine")


@pytest.fixture
def theirs(bob):
    thread = thread_with_posts(bob, "Bob's post.", title="Bob's")
    services.post_image_add(post=thread.posts.get(), upload=SimpleUploadedFile("b.png", png_bytes()))
    return thread


def page_of(response) -> str:
    return response.content.decode()


def post_views(thread: Thread) -> list[str]:
    base = f"/threads/{thread.pk}"
    return [
        "/threads/import/preview/",
        "/threads/import/save/",
        f"{base}/export/",
        f"{base}/author/",
        f"{base}/avatar/remove/",
        f"{base}/delete/",
        f"{base}/posts/1/edit/",
        f"{base}/posts/1/move/",
        f"{base}/posts/1/images/",
        f"{base}/posts/1/images/1/delete/",
        "/exports/bulk/",
        "/api-keys/tokens/",
        "/api-keys/tokens/1/revoke/",
        "/api-keys/webhooks/",
        "/api-keys/webhooks/1/delete/",
        "/presets/1/delete/",
    ]


def test_post_views_take_only_posts_and_only_signed_in(client, signed_in, thread):
    for path in post_views(thread):
        assert signed_in.get(path).status_code == 405, path
    client.logout()
    for path in post_views(thread):
        response = client.post(path)
        assert response.status_code == 302, path
        assert "/accounts/login/" in response["Location"], path


def test_another_users_rows_are_404_and_stay(signed_in, bob, theirs):
    image = PostImage.objects.get(post__thread=theirs)
    token, _ = token_create(user=bob, name="bob's")
    hook = Endpoint.objects.create(owner=bob, url="https://example.com/bob")
    preset = StylePreset.objects.create(owner=bob, name="Bob's look", style={"version": 1})
    base = f"/threads/{theirs.pk}"
    upload = SimpleUploadedFile("a.png", png_bytes())

    answers = [
        signed_in.post(f"{base}/export/", {"kind": "carousel", "format": "pdf", "scale": "1"}),
        signed_in.post(f"{base}/author/", {"title": "Taken", "author_name": "Alice"}),
        signed_in.post(f"{base}/avatar/remove/"),
        signed_in.post(f"{base}/delete/"),
        signed_in.post(f"{base}/posts/1/edit/", {"text": "mine now"}),
        signed_in.post(f"{base}/posts/1/images/", {"file": upload}),
        signed_in.post(f"{base}/posts/1/images/{image.pk}/delete/"),
        signed_in.post(f"/api-keys/tokens/{token.pk}/revoke/"),
        signed_in.get(f"/api-keys/tokens/{token.pk}/"),
        signed_in.post(f"/api-keys/webhooks/{hook.pk}/delete/"),
        signed_in.get(f"/api-keys/webhooks/{hook.pk}/"),
        signed_in.post(f"/presets/{preset.pk}/delete/"),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)
    theirs.refresh_from_db()
    assert (theirs.title, theirs.author_name, theirs.posts.get().text) == (
        "Bob's",
        "Ada Lovelace",
        "Bob's post.",
    )
    assert PostImage.objects.filter(post__thread=theirs).count() == 1
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert Endpoint.objects.filter(pk=hook.pk).exists()
    assert StylePreset.objects.filter(pk=preset.pk).exists()
    assert not Job.objects.exists()


def test_a_post_that_is_not_there_is_404(signed_in, thread):
    assert signed_in.post(f"/threads/{thread.pk}/posts/9/edit/", {"text": "x"}).status_code == 404
    assert signed_in.post(f"/threads/{thread.pk}/posts/9/images/").status_code == 404


# --- The thread page's forms -----------------------------------------------------------


def test_export_from_the_thread_page(signed_in, thread):
    queued = signed_in.post(
        f"/threads/{thread.pk}/export/?post=2", {"kind": "cards", "format": "zip", "scale": "2"}
    )
    pdf_cards = signed_in.post(
        f"/threads/{thread.pk}/export/?post=2", {"kind": "cards", "format": "pdf", "scale": "1"}
    )
    too_big = signed_in.post(
        f"/threads/{thread.pk}/export/", {"kind": "carousel", "format": "pdf", "scale": "3"}
    )
    odd = signed_in.post(
        f"/threads/{thread.pk}/export/", {"kind": "x", "format": "pdf", "scale": "abc", "preset": "z"}
    )
    no_preset = signed_in.post(
        f"/threads/{thread.pk}/export/",
        {"kind": "carousel", "format": "pdf", "scale": "1", "preset": "999999"},
    )

    assert queued.status_code == 302
    assert queued["Location"] == "/exports/"
    assert Job.objects.get().scale == 2
    assert pdf_cards.status_code == 400
    assert "Cards come as PNG, JPEG, WebP or ZIP; PDF is for carousels." in page_of(pdf_cards)
    assert "Post 2 of 2" in page_of(pdf_cards), "the page shows the post it was on"
    assert too_big.status_code == 400
    assert "3× comes with the Pro plan; yours exports at up to 2×." in page_of(too_big)
    assert odd.status_code == 400
    assert no_preset.status_code == 400
    assert Job.objects.count() == 1


def test_the_thread_page_offers_only_the_plans_scales(signed_in, alice, thread):
    free = page_of(signed_in.get(f"/threads/{thread.pk}/"))
    alice.plan = Plan.objects.get(code="pro")
    alice.save()
    pro = page_of(signed_in.get(f"/threads/{thread.pk}/"))

    assert '<option value="3" disabled>3× · Pro</option>' in free
    assert '<option value="2">2×</option>' in free
    assert "1080 px" not in free
    assert '<option value="3">3×</option>' in pro


def test_set_the_title_and_author_and_an_avatar(signed_in, thread):
    avatar = SimpleUploadedFile("face.png", png_bytes(32, 32, "#00ff00"))
    saved = signed_in.post(
        f"/threads/{thread.pk}/author/?post=2",
        {"title": " Renamed ", "author_name": "Grace", "handle": "@grace_h", "avatar": avatar},
    )

    thread.refresh_from_db()
    assert saved.status_code == 302
    assert saved["Location"] == f"/threads/{thread.pk}/?post=2"
    assert (thread.title, thread.author_name, thread.handle) == ("Renamed", "Grace", "grace_h")
    assert default_storage.exists(thread.avatar.name)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "Title cannot be empty."),
        ({"title": "t" * 201}, "title", "Title can be at most 200 characters."),
        ({"author_name": "n" * 101}, "author_name", "Author&#x27;s name can be at most 100 characters."),
        # One character that NFC makes three: the service's own check, in words.
        ({"author_name": "\ufb2c" * 40}, "author_name", "Author&#x27;s name must be at most 100 characters"),
        (
            {"handle": "two words"},
            "handle",
            "A handle is 1-30 letters, digits or underscores, with or without @.",
        ),
        ({"handle": "h" * 32}, "handle", "Handle can be at most 31 characters."),
    ],
)
def test_the_author_form_refuses_what_the_api_refuses(signed_in, as_alice, thread, fields, field, message):
    data = {"title": "Kept", "author_name": "", "handle": "", **fields}
    refused = signed_in.post(f"/threads/{thread.pk}/author/", data)
    api = as_alice.patch(f"/api/v1/threads/{thread.pk}/", data, format="json")

    thread.refresh_from_db()
    assert refused.status_code == 400
    assert message in page_of(refused)
    assert f'id="id_{field}_error"' in page_of(refused), "the message sits with its field"
    assert api.status_code == 400
    assert thread.title == "Mine"


def test_a_bad_avatar_saves_nothing(signed_in, thread):
    bad = SimpleUploadedFile("face.png", b"not an image", content_type="image/png")
    refused = signed_in.post(f"/threads/{thread.pk}/author/", {"title": "Changed", "avatar": bad})

    thread.refresh_from_db()
    assert refused.status_code == 400
    assert "Avatar: The file is not a PNG, JPEG, WebP or GIF image." in page_of(refused)
    assert thread.title == "Mine", "all of the form is saved, or none"
    assert not thread.avatar


def test_remove_the_avatar(signed_in, thread, django_capture_on_commit_callbacks):
    services.thread_set_avatar(thread=thread, upload=SimpleUploadedFile("a.png", png_bytes()))
    thread.refresh_from_db()
    stored = thread.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        removed = signed_in.post(f"/threads/{thread.pk}/avatar/remove/?post=2")
    again = signed_in.post(f"/threads/{thread.pk}/avatar/remove/")

    thread.refresh_from_db()
    assert removed.status_code == 302
    assert removed["Location"] == f"/threads/{thread.pk}/?post=2"
    assert not thread.avatar
    assert not default_storage.exists(stored)
    assert again.status_code == 302


def test_a_thread_without_an_author_asks_for_one(signed_in, alice):
    pasted = services.thread_import(owner=alice, format="text", content="1/ First.\n\n2/ Second.")
    asked = page_of(signed_in.get(f"/threads/{pasted.pk}/"))
    signed_in.post(f"/threads/{pasted.pk}/author/", {"title": pasted.title, "handle": "someone"})
    after = page_of(signed_in.get(f"/threads/{pasted.pk}/"))

    assert "Who wrote this?" in asked
    assert "Who wrote this?" not in after
    assert "Edit the title and author" in after


# --- Import ---------------------------------------------------------------------------


def test_a_json_file_previewed_is_carried_in_the_box_and_imports(signed_in, alice):
    content = {
        "title": "From a file",
        "author": {"name": "Ada", "handle": "ada"},
        "posts": [{"text": "One."}, {"text": "Two."}],
    }
    chosen = SimpleUploadedFile("t.json", json.dumps(content).encode(), content_type="application/json")

    preview = signed_in.post("/threads/import/preview/", {"format": "text", "json_file": chosen})
    html = page_of(preview)
    carried = html.split('name="content"')[1].split(">", 1)[1].split("</textarea>")[0]
    previewed_only = not Thread.objects.exists()
    saved = signed_in.post(
        "/threads/import/save/", {"format": "json", "content": html_module.unescape(carried), "title": ""}
    )

    assert preview.status_code == 200
    assert re.search(r'value="json"[^>]*checked', html)
    assert "The file's text is now in the “Paste the thread” box" in html
    assert previewed_only, "a preview saves nothing"
    assert saved.status_code == 302
    assert Thread.objects.get().posts.count() == 2


def test_import_refusals_are_400(signed_in):
    empty = signed_in.post("/threads/import/save/", {"format": "text", "content": "  "})
    not_utf8 = signed_in.post(
        "/threads/import/preview/",
        {"format": "json", "json_file": SimpleUploadedFile("t.json", b"\xff\xfe\x00")},
    )

    assert empty.status_code == 400
    assert "Paste a thread or choose a JSON file." in page_of(empty)
    assert not_utf8.status_code == 400
    assert "The file is not UTF-8 text." in page_of(not_utf8)


# --- Bulk export ----------------------------------------------------------------------


def test_the_bulk_form_keeps_the_choice_and_speaks_plainly(signed_in, alice):
    one = thread_with_posts(alice, "One.", title="One")
    two = thread_with_posts(alice, "Two.", title="Two")
    empty = Thread.objects.create(owner=alice, title="Empty")
    chosen = {
        "threads": [str(one.pk), str(two.pk)],
        "kinds": ["carousel", "cards"],
        "format": "pdf",
        "scale": "1",
    }

    pdf = signed_in.post("/exports/bulk/", chosen)
    scale = signed_in.post("/exports/bulk/", {**chosen, "format": "png", "scale": "3"})
    no_posts = signed_in.post("/exports/bulk/", {**chosen, "format": "png", "threads": [str(empty.pk)]})
    queued = signed_in.post("/exports/bulk/", {**chosen, "format": "png"})

    assert pdf.status_code == 400
    assert "PDF is for carousels only" in page_of(pdf)
    for response in (pdf, scale):
        assert f'<option value="{one.pk}" selected dir="auto">One</option>' in page_of(response)
        assert f'<option value="{two.pk}" selected dir="auto">Two</option>' in page_of(response)
    assert "3× comes with the Pro plan" in page_of(scale)
    assert no_posts.status_code == 400
    assert f"Threads: Thread {empty.pk} (&#x27;Empty&#x27;) has no posts to render." in page_of(no_posts)
    assert "threads:" not in page_of(no_posts)
    assert queued.status_code == 302
    assert Job.objects.get().thread_ids == [one.pk, two.pk]


def test_the_bulk_form_counts_threads_against_the_plan(signed_in, alice):
    for n in range(6):
        thread_with_posts(alice, "Post.", title=f"T{n}")

    everything = signed_in.post("/exports/bulk/", {"kinds": ["carousel"], "format": "png", "scale": "1"})

    assert everything.status_code == 400
    assert "Your plan exports up to 5 threads at once and you have 6: choose up to 5." in page_of(everything)


def test_jobs_name_their_threads(signed_in, alice, thread):
    from rendering import jobs

    jobs.job_create(user=alice, request=jobs.JobRequest(kind="carousel", threads=[thread.pk], format="pdf"))
    jobs.job_create(user=alice, request=jobs.JobRequest(kind="bulk", threads="all", format="png"))

    page = page_of(signed_in.get("/exports/"))

    assert '“<span dir="auto">Mine</span>”</strong>' in page
    assert "· carousel · PDF · 1×" in page
    assert '<strong class="job-title">1 thread</strong>' in page


# --- API keys and webhooks ------------------------------------------------------------


def test_a_webhook_removed_takes_its_deliveries(signed_in, alice):
    hook = Endpoint.objects.create(owner=alice, url="https://example.com/hook")
    Delivery.objects.create(endpoint=hook, event="job.succeeded", payload={})

    asked = signed_in.get(f"/api-keys/webhooks/{hook.pk}/")
    assert "(1 delivery)" in page_of(asked)
    assert Endpoint.objects.exists()
    removed = signed_in.post(f"/api-keys/webhooks/{hook.pk}/delete/")

    assert removed.status_code == 302
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()


def test_a_webhook_address_is_refused_in_words(signed_in):
    refused = signed_in.post("/api-keys/webhooks/", {"url": ""})

    assert refused.status_code == 400
    assert "Address: Give the address to call, https://…" in page_of(refused)


def test_a_token_for_an_unverified_address_is_refused_on_the_name(client):
    from tests.factories import UserFactory

    unverified = UserFactory(email_verified=False)
    client.force_login(unverified)

    refused = client.post("/api-keys/tokens/", {"name": "laptop"})

    assert refused.status_code == 400
    assert "Verify your email address first" in page_of(refused)
    assert not ApiToken.objects.exists()


# --- Moving posts ---------------------------------------------------------------------


def test_move_a_post_up_and_down(signed_in, thread):
    down = signed_in.post(f"/threads/{thread.pk}/posts/1/move/", {"to": "2"})
    beyond = signed_in.post(f"/threads/{thread.pk}/posts/2/move/", {"to": "3"})
    odd = signed_in.post(f"/threads/{thread.pk}/posts/2/move/", {"to": "up"})

    assert down.status_code == 302
    assert down["Location"] == f"/threads/{thread.pk}/?post=2"
    assert list(thread.posts.order_by("position").values_list("text", flat=True)) == ["Two.", "One."]
    assert beyond.status_code == 400
    assert "Move to must be a post number from 1 to 2." in page_of(beyond)
    assert odd.status_code == 400
    assert "Move to: give a post number from 1." in page_of(odd)


def test_another_users_post_does_not_move(signed_in, bob):
    theirs = thread_with_posts(bob, "First.", "Second.")

    moved = signed_in.post(f"/threads/{theirs.pk}/posts/1/move/", {"to": "2"})

    assert moved.status_code == 404
    assert theirs.posts.get(position=1).text == "First."
