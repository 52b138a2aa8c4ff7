"""The thread navigator's forms through Django's test client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import png_bytes, thread_with_posts
from threads.models import PostImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "One.", "Two.", "Three.", title="Navigated")


def test_one_post_at_a_time_with_neighbours(signed_in, thread):
    page = signed_in.get(f"/threads/{thread.pk}/?post=2").content.decode()

    assert "Post 2 of 3" in page
    assert 'href="?post=1" data-previous' in page
    assert 'href="?post=3" data-next' in page
    assert "<p>Two.</p>" in page


def test_out_of_range_and_odd_post_numbers_fall_back(signed_in, thread):
    assert "Post 3 of 3" in signed_in.get(f"/threads/{thread.pk}/?post=99").content.decode()
    assert "Post 1 of 3" in signed_in.get(f"/threads/{thread.pk}/?post=abc").content.decode()


def test_edit_a_post_and_refuse_one_too_long(signed_in, thread, settings):
    saved = signed_in.post(f"/threads/{thread.pk}/posts/3/edit/", {"text": "Third, edited."})
    settings.POST_MAX_CHARS = 10
    refused = signed_in.post(f"/threads/{thread.pk}/posts/3/edit/", {"text": "x" * 11})

    assert saved.status_code == 302
    assert saved["Location"].endswith("?post=3")
    assert thread.posts.get(position=3).text == "Third, edited."
    assert refused.status_code == 400
    assert "Post 3 is 11 characters long; the limit is 10." in refused.content.decode()


def test_add_and_remove_an_image_and_refuse_a_non_image(signed_in, thread):
    url = f"/threads/{thread.pk}/posts/1/images/"
    upload = SimpleUploadedFile("red.png", png_bytes(30, 20, "#ff0000"), content_type="image/png")
    added = signed_in.post(url, {"file": upload, "alt": "A red square"})
    image = PostImage.objects.get()
    bad = SimpleUploadedFile("notes.png", b"not an image", content_type="image/png")
    refused = signed_in.post(url, {"file": bad})
    elsewhere = signed_in.post(f"{url}{image.pk}/delete/".replace("/posts/1/", "/posts/2/"))
    removed = signed_in.post(f"{url}{image.pk}/delete/")
    again = signed_in.post(f"{url}{image.pk}/delete/")

    assert added.status_code == 302
    assert added["Location"].endswith("?post=1")
    assert (image.alt, image.width) == ("A red square", 30)
    assert refused.status_code == 400
    assert "The file is not a PNG, JPEG, WebP or GIF image." in refused.content.decode()
    assert elsewhere.status_code == 404, "the image is post 1's"
    assert removed.status_code == 302
    assert again.status_code == 404
    assert not PostImage.objects.exists()


def test_another_users_thread_is_not_there(client, bob, thread):
    client.force_login(bob)

    assert client.get(f"/threads/{thread.pk}/").status_code == 404
    assert client.post(f"/threads/{thread.pk}/posts/1/edit/", {"text": "mine now"}).status_code == 404
    assert thread.posts.get(position=1).text == "One."
    assert client.get(f"/threads/{thread.pk}/editor/").status_code == 404
