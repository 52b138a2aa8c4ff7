"""POST /api/v1/render/preview/: the editor's live image."""

import io

import pytest
from PIL import Image

from accounts.models import Plan
from rendering.adapters import input_from_thread
from rendering.engine.renderer import render
from tests.factories import thread_with_posts
from threads.style import style_validate

PREVIEW = "/api/v1/render/preview/"


@pytest.fixture
def thread(alice):
    return thread_with_posts(
        alice, "The first post.", "The second post, with more words in it.", title="Preview"
    )


@pytest.mark.django_db
def test_a_preview_is_the_exported_page_byte_for_byte(as_alice, thread):
    style = {"canvas": {"size": "square"}, "text": {"size": 18}}
    response = as_alice.post(
        PREVIEW, {"thread": thread.pk, "kind": "carousel", "page": 2, "style": style}, format="json"
    )

    exported = render(
        data=input_from_thread(thread),
        style=style_validate(style),
        kind="carousel",
        fmt="png",
        watermark_forced=True,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Page-Count"] == str(len(exported))
    assert response.content == exported[1].content
    assert Image.open(io.BytesIO(response.content)).size == (1080, 1080)


@pytest.mark.django_db
def test_an_unchanged_preview_is_not_sent_again(as_alice, thread):
    body = {"thread": thread.pk, "kind": "cards", "page": 1}
    first = as_alice.post(PREVIEW, body, format="json")
    again = as_alice.post(PREVIEW, body, format="json", HTTP_IF_NONE_MATCH=first["ETag"])
    restyled = as_alice.post(PREVIEW, {**body, "style": {"card": {"radius": 0}}}, format="json")

    assert first["Cache-Control"] == "private, max-age=600"
    assert again.status_code == 304
    assert restyled["ETag"] != first["ETag"]
    assert restyled.content != first.content


@pytest.mark.django_db
def test_an_edited_post_changes_the_preview(as_alice, thread):
    body = {"thread": thread.pk, "kind": "cards", "page": 1}
    before = as_alice.post(PREVIEW, body, format="json")
    post = thread.posts.get(position=1)
    post.text = "Edited text."
    post.save()

    after = as_alice.post(PREVIEW, body, format="json")

    assert after["ETag"] != before["ETag"]


@pytest.mark.django_db
def test_an_inline_thread_previews_without_saving_anything(as_alice):
    data = {
        "title": "Inline",
        "author": {"name": "Ana", "handle": "ana"},
        "posts": [{"text": "Hello from JSON."}],
    }
    response = as_alice.post(
        PREVIEW, {"thread_data": data, "kind": "thread", "format": "jpeg"}, format="json"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Page-Count"] == "1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "cards", "page": 9}, "page"),
        ({"kind": "cards", "page": 0}, "page"),
        ({"kind": "poster"}, "kind"),
        ({"kind": "cards", "scale": 3}, "scale"),
        ({"kind": "cards", "style": {"card": {"radius": "round"}}}, "style.card.radius"),
        ({"kind": "cards", "format": "pdf"}, "format"),
    ],
)
def test_bad_previews_are_refused_naming_the_field(as_alice, thread, body, field):
    response = as_alice.post(PREVIEW, {"thread": thread.pk, **body}, format="json")

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}:"), response.json()


@pytest.mark.django_db
def test_previews_need_a_thread_of_ones_own(as_alice, bob):
    theirs = thread_with_posts(bob, "Not yours.")

    other = as_alice.post(PREVIEW, {"thread": theirs.pk}, format="json")
    neither = as_alice.post(PREVIEW, {}, format="json")
    bad_inline = as_alice.post(PREVIEW, {"thread_data": {"posts": "nope"}}, format="json")

    assert other.status_code == 400
    assert other.json()["message"] == f"thread: you have no thread {theirs.pk}."
    assert neither.status_code == 400
    assert bad_inline.status_code == 400
    assert bad_inline.json()["message"].startswith("thread_data")


@pytest.mark.django_db
def test_previews_have_their_own_budget_per_minute(as_alice, alice, thread):
    Plan.objects.filter(pk=alice.plan_id).update(previews_per_minute=3, api_requests_per_minute=2)
    body = {"thread": thread.pk, "kind": "cards"}

    codes = [as_alice.post(PREVIEW, body, format="json").status_code for _ in range(4)]
    refused = as_alice.post(PREVIEW, body, format="json")

    assert codes == [200, 200, 200, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # The API's own budget (2 a minute here) is untouched by the previews.
    assert as_alice.get("/api/v1/threads/").status_code == 200
    assert as_alice.get("/api/v1/threads/").status_code == 200


@pytest.mark.django_db
def test_previews_have_a_daily_budget(as_alice, alice, thread, bob, api):
    Plan.objects.filter(pk=alice.plan_id).update(previews_per_day=2)
    body = {"thread": thread.pk, "kind": "cards"}

    codes = [as_alice.post(PREVIEW, body, format="json").status_code for _ in range(3)]
    refused = as_alice.post(PREVIEW, body, format="json")

    assert codes == [200, 200, 429]
    assert int(refused["Retry-After"]) > 3600  # until the day's window ends
    # Bob's budget is his own.
    api.force_authenticate(bob)
    theirs = thread_with_posts(bob, "Bob's post.")
    assert api.post(PREVIEW, {"thread": theirs.pk, "kind": "cards"}, format="json").status_code == 200


@pytest.mark.django_db
def test_carousel_studio_choices_show_in_the_preview(as_alice, thread):
    body = {"thread": thread.pk, "kind": "carousel", "carousel": {"posts": [2]}}
    chosen = as_alice.post(PREVIEW, {**body, "page": 2}, format="json")
    default = as_alice.post(PREVIEW, {"thread": thread.pk, "kind": "carousel", "page": 2}, format="json")

    assert chosen["X-Page-Count"] == "3"  # cover, post 2, end
    assert default["X-Page-Count"] == "4"
    assert chosen.content != default.content, "slide 2 shows post 2, not post 1"
