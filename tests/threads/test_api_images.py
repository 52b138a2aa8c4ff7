import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import png_bytes, thread_with_posts
from threads.models import PostImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "one", "two")


def upload(api, thread, position, data, name="photo.png", content_type="image/png", **extra):
    return api.post(
        f"/api/v1/threads/{thread.pk}/posts/{position}/images/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type), **extra},
        format="multipart",
    )


def test_upload_stores_a_reencoded_image_under_a_generated_name(as_alice, thread):
    response = upload(
        as_alice, thread, 2, png_bytes(64, 48), name="../../etc/passwd.png", alt="A violet square"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["width"], body["height"], body["alt"]) == (64, 48, "A violet square")
    image = PostImage.objects.get()
    assert image.post.position == 2
    assert "passwd" not in image.file.name
    assert ".." not in image.file.name
    served = as_alice.get(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (64, 48)


def test_upload_fills_the_first_placeholder(as_alice, thread):
    post = thread.posts.get(position=1)
    placeholder = PostImage.objects.create(post=post, alt="chart")

    body = upload(as_alice, thread, 1, png_bytes()).json()

    assert body["id"] == placeholder.pk
    assert body["is_placeholder"] is False
    assert body["alt"] == "chart"
    assert PostImage.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"just some text, not an image", "image/png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "image/svg+xml"),
        (b"%PDF-1.7\n...", "application/pdf"),
        (png_bytes()[:60], "image/png"),
        (png_bytes() + b"PK\x03\x04" + b"\x00" * 40, "image/png"),
        (b"", "image/png"),
    ],
    ids=["text", "svg", "pdf", "truncated", "polyglot", "empty"],
)
def test_non_images_are_refused_with_a_message(as_alice, thread, data, content_type):
    response = upload(as_alice, thread, 1, data, content_type=content_type)

    assert response.status_code == 400
    assert response.json()["message"].startswith("file")
    assert not PostImage.objects.exists()


def test_image_limits_are_named(as_alice, thread, settings):
    settings.IMAGE_MAX_PIXELS = 1000
    settings.POST_MAX_IMAGES = 2

    too_big = upload(as_alice, thread, 1, png_bytes(50, 50))
    assert too_big.status_code == 400
    assert "megapixel" in too_big.json()["message"].lower() or "pixels" in too_big.json()["message"]

    for _ in range(2):
        assert upload(as_alice, thread, 1, png_bytes(10, 10)).status_code == 201
    third = upload(as_alice, thread, 1, png_bytes(10, 10))
    assert third.status_code == 400
    assert "at most 2 images" in third.json()["message"]


def test_file_size_limit_is_named(as_alice, thread, settings):
    settings.IMAGE_MAX_BYTES = 1000

    response = upload(as_alice, thread, 1, png_bytes(60, 60, noise=True))

    assert response.status_code == 400
    assert "at most 1000 bytes" in response.json()["message"] or "at most 1 KB" in response.json()["message"]


def test_missing_post_or_file(as_alice, thread):
    assert upload(as_alice, thread, 9, png_bytes()).status_code == 404
    response = as_alice.post(f"/api/v1/threads/{thread.pk}/posts/1/images/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_delete_an_image(as_alice, thread):
    body = upload(as_alice, thread, 1, png_bytes()).json()

    assert as_alice.delete(body["url"]).status_code == 204
    assert not PostImage.objects.exists()


def test_avatar_upload_and_fetch(as_alice, thread):
    response = as_alice.post(
        f"/api/v1/threads/{thread.pk}/avatar/",
        {"file": SimpleUploadedFile("me.png", png_bytes(80, 80), content_type="image/png")},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["avatar"].endswith("/avatar/")
    assert as_alice.get(response.json()["avatar"]).status_code == 200
