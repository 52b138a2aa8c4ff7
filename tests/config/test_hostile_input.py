"""Input an attacker tries: each answers 4xx naming the field, never a 500,
and nothing half-stored."""

import json

import pytest

from tests.factories import thread_with_posts
from threads.models import Post, Thread

THREADS = "/api/v1/threads/"
IMPORT = "/api/v1/threads/import/"
PREVIEW = "/api/v1/render/preview/"
JOBS = "/api/v1/jobs/"

pytestmark = pytest.mark.django_db


def raw_post(api, path, body: str, **extra):
    return api.post(path, body, content_type="application/json", **extra)


def assert_names(response, field):
    assert 400 <= response.status_code < 500, response.content[:300]
    body = response.json()
    assert field in body["message"], body
    return body


def test_deeply_nested_json_is_refused_by_the_parser(as_alice):
    for depth in (40, 1_000, 200_000):
        body = '{"title": "x", "posts": ' + "[" * depth + "]" * depth + "}"
        response = raw_post(as_alice, THREADS, body)
        assert response.status_code == 400, depth
        assert "nested" in response.json()["message"]
    assert not Thread.objects.exists()


def test_deeply_nested_json_in_an_imported_file_is_refused(as_alice):
    content = "[" * 100_000 + "]" * 100_000
    response = as_alice.post(IMPORT, {"format": "json", "content": content}, format="json")
    assert_names(response, "content")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"title": "a\\u0000b", "posts": [{"text": "hi"}]}', "title"),
        ('{"title": "t", "posts": [{"text": "one"}, {"text": "tw\\u0000o"}]}', "posts[1].text"),
        ('{"title": "\\ud800", "posts": [{"text": "hi"}]}', "title"),
        ('{"title": "t", "posts": [{"text": "lone \\udfff low"}]}', "posts[0].text"),
        ('{"title": "t", "posts": [{"text": "ok", "\\u0000": 1}]}', "posts[0]"),
        ('{"title": "t", "posts": [{"text": NaN}]}', "JSON"),
    ],
)
def test_text_postgresql_cannot_store_is_refused_naming_the_field(as_alice, body, field):
    assert_names(raw_post(as_alice, THREADS, body), field)
    assert not Thread.objects.exists()


@pytest.mark.parametrize("text", ["a\\u0000b", "\\ud83d alone"])
def test_imported_json_and_text_with_nul_or_surrogates(as_alice, text):
    thread_json = '{"author": {"name": "A", "handle": "a"}, "posts": [{"text": "TEXT"}]}'.replace(
        "TEXT", text
    )
    response = as_alice.post(IMPORT, {"format": "json", "content": thread_json}, format="json")
    assert_names(response, "posts[0].text")
    pasted = raw_post(as_alice, IMPORT, '{"format": "text", "content": "1/ TEXT"}'.replace("TEXT", text))
    assert_names(pasted, "content")
    assert not Thread.objects.exists()


def test_nul_in_a_carousel_title_is_refused(as_alice, alice):
    thread = thread_with_posts(alice, "One.", "Two.")
    body = json.dumps(
        {"kind": "carousel", "thread": thread.pk, "format": "png", "carousel": {"title": "a\x00"}}
    )
    assert_names(raw_post(as_alice, JOBS, body), "carousel.title")
    assert_names(raw_post(as_alice, PREVIEW, body.replace('"format": "png"', '"page": 1')), "carousel.title")


@pytest.mark.parametrize("page", ["²", "٣", "1e3", "-1", "99999999999999999999999", " 1"])
def test_page_numbers_must_be_ascii_whole_numbers(as_alice, page):
    response = as_alice.get(THREADS, {"page": page})
    assert_names(response, "page")


@pytest.mark.parametrize("page", ["²", "٣"])
def test_website_pages_take_odd_numbers_quietly(client, alice, page):
    client.force_login(alice)
    thread = thread_with_posts(alice, "One.")
    assert client.get(f"/threads/{thread.pk}/", {"post": page}).status_code == 200
    assert client.post(f"/api-keys/tokens/{page}/revoke/").status_code == 404


def test_text_that_grows_under_nfc_is_checked_after(as_alice, settings):
    settings.POST_MAX_CHARS = 100
    grows = "\ufb2c"  # one character, three once normalised
    assert len(__import__("unicodedata").normalize("NFC", grows)) == 3
    response = as_alice.post(THREADS, {"title": "t", "posts": [{"text": grows * 50}]}, format="json")
    assert_names(response, "posts[0].text")
    response = as_alice.post(
        THREADS, {"title": "t", "author_name": grows * 90, "posts": [{"text": "hi"}]}, format="json"
    )
    assert_names(response, "author_name")
    assert not Post.objects.exists()


def test_editing_a_post_checks_its_normalised_length(as_alice, alice, settings):
    thread = thread_with_posts(alice, "One.")
    settings.POST_MAX_CHARS = 100
    response = as_alice.patch(
        f"{THREADS}{thread.pk}/",
        {"posts": [{"id": thread.posts.get().pk, "text": "\ufb2c" * 50}]},
        format="json",
    )
    assert_names(response, "posts[0].text")
    assert thread.posts.get().text == "One."


def test_an_oversized_body_answers_413_json(as_alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = raw_post(as_alice, THREADS, '{"title": "' + "x" * 2000 + '"}')
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "larger than 1,000 bytes" in response.json()["message"]


def test_extreme_valid_carousel_styles_render_or_are_refused(as_alice, alice):
    thread = thread_with_posts(alice, "A post " * 200, "Another.")
    extremes = [
        {"canvas": {"padding": 200}, "card": {"padding": 160}, "text": {"size": 64, "line_height": 3}},
        {
            "canvas": {"padding": 0, "size": "landscape"},
            "card": {"padding": 0, "radius": 200},
            "text": {"size": 8},
        },
        {"canvas": {"size": "portrait"}, "text": {"size": 64, "line_height": 3}},
    ]
    for style in extremes:
        body = {"kind": "carousel", "thread": thread.pk, "page": 1, "style": style}
        response = as_alice.post(PREVIEW, body, format="json")
        assert response.status_code in (200, 400), response.content[:300]
