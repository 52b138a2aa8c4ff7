"""Uploads with storage on a real S3-protocol server: the file lands in
the bucket and the API serves it back from there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import png_bytes, thread_with_posts

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_a_post_image_lands_in_the_bucket_and_is_served_back(bucket, as_alice, alice):
    thread = thread_with_posts(alice, "A post with a picture.")
    url = f"/api/v1/threads/{thread.pk}/posts/1/images/"

    created = as_alice.post(
        url, {"file": upload("sky.png", png_bytes(64, 48)), "alt": "Sky"}, format="multipart"
    )

    assert created.status_code == 201, created.json()
    [key] = bucket.keys("post-images/")
    stored = bucket.read(key)
    served = as_alice.get(f"{url}{created.json()['id']}/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == stored
    assert stored.startswith(b"\x89PNG")


def test_an_avatar_lands_in_the_bucket_and_is_served_back(bucket, as_alice, alice):
    thread = thread_with_posts(alice, "A post.")
    url = f"/api/v1/threads/{thread.pk}/avatar/"

    changed = as_alice.post(url, {"file": upload("me.png", png_bytes(80, 80, "#0ea5e9"))}, format="multipart")

    assert changed.status_code == 200, changed.json()
    [key] = bucket.keys("avatars/")
    served = as_alice.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == bucket.read(key)
