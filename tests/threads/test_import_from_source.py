"""A thread saved from X: keyed by its first post's id (saving it again
updates it, never a second copy), its pictures awaited as one import (a
draft until the last one lands or the user confirms), and the browser
extension's token that may add threads and nothing else."""

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.models import ApiToken
from tests.factories import png_bytes
from threads.models import Post, PostImage, Thread

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/threads/import/"
PICTURE = "https://pbs.twimg.com/media/{}?format=jpg&name=orig"


def captured(**changes) -> dict:
    """The extension's reading of a three-post thread, two pictures on post 2."""
    content = {
        "source_url": "https://x.com/marta_bakes/status/1800000000000000001",
        "author": {
            "name": "Marta Ruiz",
            "handle": "marta_bakes",
            "avatar_url": "https://pbs.twimg.com/profile_images/1/m_400x400.jpg",
        },
        "posts": [
            {"id": "1800000000000000001", "text": "Sourdough in three steps 🍞 a thread"},
            {
                "id": "1800000000000000002",
                "text": "Feed the starter the night before: https://example.org/starter-guide",
                "images": [
                    {"url": PICTURE.format("jar"), "alt": "A jar"},
                    {"url": PICTURE.format("bubbles")},
                ],
            },
            {"id": "1800000000000000003", "text": "Bake hot, then wait an hour before cutting."},
        ],
    }
    content.update(changes)
    return content


def save(client: APIClient, content: dict, *, await_images: bool = True):
    return client.post(
        IMPORT, {"format": "json", "content": content, "await_images": await_images}, format="json"
    )


def upload(client: APIClient, thread_id: int, position: int, placeholder: int | None, color: str = "#123456"):
    data = {"file": SimpleUploadedFile("p.png", png_bytes(color=color), content_type="image/png")}
    if placeholder is not None:
        data["placeholder"] = placeholder
    return client.post(f"/api/v1/threads/{thread_id}/posts/{position}/images/", data, format="multipart")


def test_a_captured_thread_is_a_draft_until_its_pictures_land(as_alice):
    response = save(as_alice, captured())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source_key"], body["draft"], body["images_pending"]) == ("1800000000000000001", True, 2)
    assert [post["source_id"] for post in body["posts"]] == [
        "1800000000000000001",
        "1800000000000000002",
        "1800000000000000003",
    ]
    jar, bubbles = body["posts"][1]["images"]
    # The second picture first: each upload fills the placeholder it names.
    assert upload(as_alice, body["id"], 2, bubbles["id"], "#00ff00").status_code == 201
    thread = as_alice.get(f"/api/v1/threads/{body['id']}/").json()
    assert (thread["draft"], thread["images_pending"]) == (True, 1)
    assert thread["posts"][1]["images"][0]["is_placeholder"] is True

    assert upload(as_alice, body["id"], 2, jar["id"]).status_code == 201

    thread = as_alice.get(f"/api/v1/threads/{body['id']}/").json()
    assert (thread["draft"], thread["images_pending"], thread["images_to_add"]) == (False, 0, [])


def test_a_draft_cannot_be_exported_until_confirmed(as_alice):
    thread = save(as_alice, captured()).json()

    refused = as_alice.post(
        "/api/v1/jobs/", {"kind": "cards", "format": "png", "thread": thread["id"]}, format="json"
    )
    assert refused.status_code == 400
    assert "still being imported" in refused.json()["errors"]["thread"][0]

    confirmed = as_alice.post(f"/api/v1/threads/{thread['id']}/confirm/")
    assert confirmed.status_code == 200
    assert (confirmed.json()["draft"], confirmed.json()["images_to_add"]) == (False, [2])
    accepted = as_alice.post(
        "/api/v1/jobs/", {"kind": "cards", "format": "png", "thread": thread["id"]}, format="json"
    )
    assert accepted.status_code == 202, accepted.json()


def test_saving_the_same_thread_again_updates_it_and_keeps_its_pictures(as_alice):
    first = save(as_alice, captured()).json()
    jar = first["posts"][1]["images"][0]
    upload(as_alice, first["id"], 2, jar["id"])
    PostImage.objects.filter(pk=jar["id"]).update(alt="My own words")
    as_alice.patch(f"/api/v1/threads/{first['id']}/", {"title": "Bread, my way"}, format="json")
    before = Thread.objects.get().updated

    again = save(as_alice, captured())

    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first["id"]
    assert Thread.objects.count() == 1
    assert body["title"] == "Bread, my way"
    assert body["posts"][1]["images"][0]["is_placeholder"] is False
    assert body["draft"] is True  # still waiting for the second picture
    assert Thread.objects.get().updated == before, "an unchanged thread is not written"

    # The author edits post 3 and adds a fourth; saving again follows.
    posts = copy.deepcopy(captured()["posts"])
    posts[2]["text"] = "Bake hot. Wait a full hour before cutting."
    posts.append({"id": "1800000000000000004", "text": "Questions welcome!"})
    updated = save(as_alice, captured(posts=posts)).json()

    assert updated["id"] == first["id"]
    assert Thread.objects.count() == 1
    assert [post["text"] for post in updated["posts"]][2:] == [
        "Bake hot. Wait a full hour before cutting.",
        "Questions welcome!",
    ]
    assert updated["posts"][1]["images"][0]["id"] == jar["id"]
    assert updated["posts"][1]["images"][0]["is_placeholder"] is False


def test_a_post_deleted_at_the_source_goes_with_its_pictures(as_alice):
    first = save(as_alice, captured()).json()
    upload(as_alice, first["id"], 2, first["posts"][1]["images"][0]["id"])
    posts = copy.deepcopy(captured()["posts"])
    del posts[1]

    updated = save(as_alice, captured(posts=posts)).json()

    assert [post["source_id"] for post in updated["posts"]] == ["1800000000000000001", "1800000000000000003"]
    assert [post["position"] for post in updated["posts"]] == [1, 2]
    assert not PostImage.objects.exists()
    assert updated["draft"] is False, "nothing is awaited any more"


def test_another_users_save_of_the_same_thread_is_their_own(as_alice, bob):
    save(as_alice, captured())
    as_bob = APIClient()
    as_bob.force_authenticate(bob)

    assert save(as_bob, captured()).status_code == 201
    assert Thread.objects.count() == 2


def test_a_thread_posted_with_a_status_address_is_keyed_by_it(as_alice):
    body = {
        "title": "Notes",
        "source_url": "https://twitter.com/marta_bakes/status/42",
        "posts": [{"text": "One"}, {"text": "Two"}],
    }
    first = as_alice.post("/api/v1/threads/", body, format="json")
    again = as_alice.post("/api/v1/threads/", {**body, "posts": [{"text": "One!"}]}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["source_key"] == "42"
    assert [post.text for post in Post.objects.all()] == ["One!"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"posts": [{"id": 12, "text": "a"}]}, "posts[0].id"),
        ({"posts": [{"id": "12a", "text": "a"}]}, "posts[0].id"),
        ({"posts": [{"id": "1", "text": "a"}, {"id": "1", "text": "b"}]}, "posts"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
    ],
)
def test_bad_source_fields_are_refused_by_name(as_alice, change, field):
    response = save(as_alice, captured(**change))

    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Thread.objects.exists()


def test_a_placeholder_of_another_post_is_refused(as_alice):
    body = save(as_alice, captured()).json()

    response = upload(as_alice, body["id"], 1, body["posts"][1]["images"][0]["id"])

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["placeholder"]


def test_the_same_picture_sent_twice_is_not_an_error(as_alice):
    body = save(as_alice, captured()).json()
    jar = body["posts"][1]["images"][0]["id"]

    assert upload(as_alice, body["id"], 2, jar).status_code == 201
    assert upload(as_alice, body["id"], 2, jar).status_code == 201
    assert upload(as_alice, body["id"], 2, jar, "#ff0000").status_code == 400
    assert PostImage.objects.exclude(file="").count() == 1


def test_the_extension_token_adds_threads_and_nothing_else(alice):
    _, key = accounts.token_create(user=alice, name="Browser extension", scope=ApiToken.Scope.IMPORT)
    extension = APIClient()
    extension.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    body = save(extension, captured()).json()
    assert upload(extension, body["id"], 2, body["posts"][1]["images"][0]["id"]).status_code == 201
    avatar = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    assert (
        extension.post(
            f"/api/v1/threads/{body['id']}/avatar/", {"file": avatar}, format="multipart"
        ).status_code
        == 200
    )
    assert extension.post(f"/api/v1/threads/{body['id']}/confirm/").status_code == 200
    assert extension.get("/api/v1/accounts/me/").status_code == 200

    for method, path in [
        ("get", "/api/v1/threads/"),
        ("delete", f"/api/v1/threads/{body['id']}/"),
        ("patch", f"/api/v1/threads/{body['id']}/"),
        ("post", "/api/v1/jobs/"),
        ("get", "/api/v1/accounts/tokens/"),
        ("get", "/api/v1/presets/"),
    ]:
        response = getattr(extension, method)(path, {}, format="json")
        assert response.status_code == 403, (method, path)
        assert "import" in response.json()["message"], response.json()
    assert Thread.objects.filter(pk=body["id"]).exists()
