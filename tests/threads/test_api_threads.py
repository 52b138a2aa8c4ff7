import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import png_bytes, thread_with_posts
from threads.models import Post, PostImage, Thread

pytestmark = pytest.mark.django_db

THREADS = "/api/v1/threads/"


def test_create_a_thread_with_posts(as_alice, alice):
    response = as_alice.post(
        THREADS,
        {
            "title": "Notes on bread",
            "author_name": "Baker Bea",
            "handle": "@bakerbea",
            "posts": [{"text": "Flour, water, salt."}, {"text": "Time does the rest. 🍞"}],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["handle"] == "bakerbea"
    assert [post["text"] for post in body["posts"]] == ["Flour, water, salt.", "Time does the rest. 🍞"]
    assert [post["position"] for post in body["posts"]] == [1, 2]
    assert Thread.objects.get().owner == alice


def test_text_is_stored_as_given_nfc_normalised_not_escaped(as_alice):
    decomposed = "Cafe\u0301 <b>bold</b> & “quotes” — שלום 你好"
    body = as_alice.post(THREADS, {"title": "t", "posts": [{"text": decomposed}]}).json()

    assert body["posts"][0]["text"] == "Café <b>bold</b> & “quotes” — שלום 你好"
    assert Post.objects.get().text == "Caf\u00e9 <b>bold</b> & “quotes” — שלום 你好"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"posts": [{"text": "x"}]}, "title"),
        ({"title": "t"}, "posts"),
        ({"title": "t", "posts": "nope"}, "posts"),
        ({"title": "t", "posts": [{"text": ["not", "text"]}]}, "posts"),
        ({"title": "t", "handle": "not a handle!", "posts": []}, "handle"),
        ({"title": "t", "source_url": "javascript:alert(1)", "posts": []}, "source_url"),
        ({"title": "x" * 201, "posts": []}, "title"),
    ],
)
def test_bad_thread_fields_are_named(as_alice, body, field):
    response = as_alice.post(THREADS, body)

    assert response.status_code == 400
    assert field in response.json()["message"]
    assert not Thread.objects.exists()


def test_post_limits_name_the_limit(as_alice, settings):
    settings.THREAD_MAX_POSTS = 3
    settings.POST_MAX_CHARS = 20

    too_many = as_alice.post(THREADS, {"title": "t", "posts": [{"text": "a"}] * 4})
    too_long = as_alice.post(THREADS, {"title": "t", "posts": [{"text": "a"}, {"text": "b" * 21}]})

    assert too_many.status_code == 400
    assert "at most 3 posts" in too_many.json()["message"]
    assert too_long.status_code == 400
    assert too_long.json()["errors"] == {"posts[1].text": [too_long.json()["errors"]["posts[1].text"][0]]}
    assert "limit is 20" in too_long.json()["message"]
    assert not Thread.objects.exists()


def test_list_is_paginated_searchable_and_ordered(as_alice, alice, bob):
    for title in ("Bread basics", "Sourdough secrets", "Cheese", "Breadcrumbs"):
        thread_with_posts(alice, "one", "two", title=title)
    thread_with_posts(bob, "bob's", title="Bread of Bob")

    everything = as_alice.get(THREADS).json()
    assert everything["count"] == 4
    assert everything["results"][0]["post_count"] == 2

    found = as_alice.get(THREADS, {"search": "bREAD", "ordering": "title"}).json()
    assert [t["title"] for t in found["results"]] == ["Bread basics", "Breadcrumbs"]

    page = as_alice.get(THREADS, {"page_size": 3, "page": 2}).json()
    assert len(page["results"]) == 1


def test_list_and_detail_queries_do_not_grow_with_rows(as_alice, alice):
    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            assert as_alice.get(path).status_code == 200
        return len(ctx.captured_queries)

    thread = thread_with_posts(alice, "a", "b")
    queries(THREADS)  # the first request also loads the user's plan for the rate limit
    list_few, detail_few = queries(THREADS), queries(f"{THREADS}{thread.pk}/")
    for _ in range(6):
        thread_with_posts(alice, *[f"post {i}" for i in range(8)])
    big = thread_with_posts(alice, *[f"post {i}" for i in range(30)])
    for post in big.posts.all():
        PostImage.objects.create(post=post, alt="placeholder")

    assert queries(THREADS) == list_few
    assert queries(f"{THREADS}{big.pk}/") == detail_few


def test_patch_reorders_edits_adds_and_removes_posts(as_alice, alice):
    thread = thread_with_posts(alice, "first", "second", "third")
    first, second, third = thread.posts.order_by("position")
    PostImage.objects.create(post=third, alt="kept with its post")

    response = as_alice.patch(
        f"{THREADS}{thread.pk}/",
        {
            "title": "Renamed",
            "posts": [{"id": third.pk}, {"id": first.pk, "text": "first, edited"}, {"text": "brand new"}],
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Renamed"
    assert [p["text"] for p in body["posts"]] == ["third", "first, edited", "brand new"]
    assert [p["position"] for p in body["posts"]] == [1, 2, 3]
    assert body["posts"][0]["images"][0]["alt"] == "kept with its post"
    assert not Post.objects.filter(pk=second.pk).exists()


def test_patch_with_an_unknown_post_id_changes_nothing(as_alice, alice, bob):
    thread = thread_with_posts(alice, "first", "second")
    bobs_post = thread_with_posts(bob, "bob").posts.get()

    response = as_alice.patch(f"{THREADS}{thread.pk}/", {"posts": [{"id": bobs_post.pk}]})

    assert response.status_code == 400
    assert "posts[0].id" in response.json()["message"]
    assert list(thread.posts.values_list("text", flat=True)) == ["first", "second"]
    assert Post.objects.get(pk=bobs_post.pk).text == "bob"


def test_patch_without_posts_keeps_them(as_alice, alice):
    thread = thread_with_posts(alice, "first", "second")

    as_alice.patch(f"{THREADS}{thread.pk}/", {"author_name": "Someone"})

    assert list(thread.posts.values_list("text", flat=True)) == ["first", "second"]


def test_delete_removes_the_thread_and_its_files(as_alice, alice, django_capture_on_commit_callbacks):
    thread = thread_with_posts(alice, "with a picture")
    upload = as_alice.post(
        f"{THREADS}{thread.pk}/posts/1/images/", {"file": _file(png_bytes())}, format="multipart"
    )
    assert upload.status_code == 201, upload.json()
    stored = PostImage.objects.get().file.path

    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.delete(f"{THREADS}{thread.pk}/")

    assert response.status_code == 204
    assert not Thread.objects.exists()
    assert not os.path.exists(stored)


def _file(data: bytes, name: str = "picture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_put_is_not_offered(as_alice, alice):
    thread = thread_with_posts(alice, "x")

    assert as_alice.put(f"{THREADS}{thread.pk}/", {"title": "y", "posts": []}).status_code == 405
