"""Every thread, preset, image and job route × {owner, other user, anonymous}.

The routes come from the URL resolver, so a new route that is not in MATRIX
fails `test_every_route_is_in_the_matrix` until someone decides who may use it.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from brand.models import CustomFont
from brand.services import font_add
from rendering.models import Job
from rendering.serializers import download_token
from tests.brand.fontmaker import make_font
from tests.factories import one_of_everything, png_bytes
from threads.models import Post, PostImage, StylePreset, Thread
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    method: str
    path: Callable[[dict[str, Any]], str]
    body: Callable[[], dict[str, Any]] | None = None
    multipart: bool = False
    owner_status: int = 200


def image_body() -> dict[str, Any]:
    return {"file": SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")}


MATRIX: dict[str, list[Case]] = {
    "thread-detail": [
        Case("get", lambda o: f"/api/v1/threads/{o['thread'].pk}/"),
        Case("patch", lambda o: f"/api/v1/threads/{o['thread'].pk}/", lambda: {"title": "changed"}),
        Case(
            "patch",
            lambda o: f"/api/v1/threads/{o['thread'].pk}/",
            lambda: {"style_draft": {"card": {"radius": 3}}, "preset": None},
        ),
        Case("delete", lambda o: f"/api/v1/threads/{o['thread'].pk}/", owner_status=204),
    ],
    "thread-avatar": [
        Case("get", lambda o: f"/api/v1/threads/{o['thread'].pk}/avatar/"),
        Case("post", lambda o: f"/api/v1/threads/{o['thread'].pk}/avatar/", image_body, multipart=True),
        Case("delete", lambda o: f"/api/v1/threads/{o['thread'].pk}/avatar/"),
    ],
    "thread-confirm": [
        Case("post", lambda o: f"/api/v1/threads/{o['thread'].pk}/confirm/"),
    ],
    "post-images": [
        Case("post", lambda o: f"/api/v1/threads/{o['thread'].pk}/posts/1/images/", image_body, True, 201),
    ],
    "post-image-file": [
        Case("get", lambda o: f"/api/v1/threads/{o['thread'].pk}/posts/1/images/{o['image'].pk}/"),
        Case(
            "delete",
            lambda o: f"/api/v1/threads/{o['thread'].pk}/posts/1/images/{o['image'].pk}/",
            owner_status=204,
        ),
    ],
    "job-detail": [Case("get", lambda o: f"/api/v1/jobs/{o['job'].pk}/")],
    "job-cancel": [Case("post", lambda o: f"/api/v1/jobs/{o['queued_job'].pk}/cancel/")],
    "job-download": [
        Case("get", lambda o: f"/api/v1/jobs/{o['job'].pk}/download/?token={download_token(o['job'])}"),
    ],
    "webhook-detail": [
        Case("get", lambda o: f"/api/v1/webhooks/{o['hook'].pk}/"),
        Case("patch", lambda o: f"/api/v1/webhooks/{o['hook'].pk}/", lambda: {"active": False}),
        Case("delete", lambda o: f"/api/v1/webhooks/{o['hook'].pk}/", owner_status=204),
    ],
    "webhook-deliveries": [Case("get", lambda o: f"/api/v1/webhooks/{o['hook'].pk}/deliveries/")],
    "font": [Case("delete", lambda o: f"/api/v1/brand/fonts/{o['font'].pk}/", owner_status=204)],
    "preset-detail": [
        Case("get", lambda o: f"/api/v1/presets/{o['preset'].pk}/"),
        Case("patch", lambda o: f"/api/v1/presets/{o['preset'].pk}/", lambda: {"name": "changed"}),
        Case("delete", lambda o: f"/api/v1/presets/{o['preset'].pk}/", owner_status=204),
    ],
}
# Collections answer only the caller's own rows; they are checked below.
# The brand kit and its pictures are the caller's own, found by no id.
COLLECTIONS = {
    *(
        "thread-list",
        "thread-import",
        "thread-import-archive",
        "preset-list",
        "job-list",
        "job-quote",
        "preview",
        "slides",
        "webhook-list",
    ),
    *("brand", "brand-image", "fonts"),
}


def threads_api_route_names() -> set[str]:
    def walk(patterns: list[URLPattern | URLResolver]) -> set[str]:
        names: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("threads-api", "rendering-api", "webhooks-api", "brand-api"):
                    names |= {p.name for p in pattern.url_patterns if isinstance(p, URLPattern) and p.name}
                names |= walk(pattern.url_patterns)
        return names

    return walk(get_resolver().url_patterns)


def test_every_route_is_in_the_matrix():
    assert threads_api_route_names() == set(MATRIX) | COLLECTIONS


@pytest.fixture
def alices(alice):
    font = font_add(owner=alice, upload=io.BytesIO(make_font("Alice Sans")))
    return {**one_of_everything(alice), "font": font}


def snapshot() -> list[Any]:
    return [
        list(Thread.objects.values_list("id", "title", "avatar", "updated")),
        list(Post.objects.values_list("id", "position", "text")),
        list(PostImage.objects.values_list("id", "file", "alt")),
        list(StylePreset.objects.values_list("id", "name", "style")),
        list(Job.objects.values_list("id", "status", "result")),
        list(Endpoint.objects.values_list("id", "url", "active")),
        list(CustomFont.objects.values_list("id", "family", "file")),
    ]


def send(api, case: Case, objects: dict[str, Any]):
    body = case.body() if case.body else None
    return getattr(api, case.method)(
        case.path(objects), body, format="multipart" if case.multipart else "json"
    )


CASES = [(name, case) for name, cases in MATRIX.items() for case in cases]
IDS = [f"{name}-{case.method}" for name, case in CASES]


@pytest.mark.parametrize(("name", "case"), CASES, ids=IDS)
def test_other_user_gets_404_and_nothing_changes(api, bob, alices, name, case):
    api.force_authenticate(bob)
    before = snapshot()

    response = send(api, case, alices)

    assert response.status_code == 404, response.content
    assert snapshot() == before


@pytest.mark.parametrize(("name", "case"), CASES, ids=IDS)
def test_anonymous_gets_401_and_nothing_changes(api, alices, name, case):
    before = snapshot()

    response = send(api, case, alices)

    assert response.status_code == 401
    assert snapshot() == before


@pytest.mark.parametrize(("name", "case"), CASES, ids=IDS)
def test_owner_can(api, alice, alices, name, case):
    api.force_authenticate(alice)

    response = send(api, case, alices)

    assert response.status_code == case.owner_status, response.content


def test_collections_show_only_the_callers_rows(api, bob, alices):
    api.force_authenticate(bob)

    threads = api.get("/api/v1/threads/").json()
    presets = api.get("/api/v1/presets/", {"page_size": 100}).json()["results"]

    assert threads["count"] == 0
    assert all(p["is_builtin"] for p in presets)
    assert api.get("/api/v1/jobs/").json()["count"] == 0
    assert api.get("/api/v1/brand/fonts/").json() == []
    assert api.get("/api/v1/brand/").json()["logo_url"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/threads/"),
        ("post", "/api/v1/threads/"),
        ("post", "/api/v1/threads/import/"),
        ("get", "/api/v1/presets/"),
        ("post", "/api/v1/presets/"),
        ("get", "/api/v1/jobs/"),
        ("post", "/api/v1/jobs/"),
        ("post", "/api/v1/render/preview/"),
        ("post", "/api/v1/render/slides/"),
        ("get", "/api/v1/webhooks/"),
        ("post", "/api/v1/webhooks/"),
        ("post", "/api/v1/jobs/quote/"),
        ("get", "/api/v1/brand/"),
        ("patch", "/api/v1/brand/"),
        ("get", "/api/v1/brand/logo/"),
        ("post", "/api/v1/brand/logo/"),
        ("get", "/api/v1/brand/fonts/"),
        ("post", "/api/v1/brand/fonts/"),
    ],
)
def test_collections_need_a_signed_in_user(api, db, method, path):
    assert getattr(api, method)(path, {}).status_code == 401


def test_bob_cannot_upload_into_alices_thread_by_guessing(api, bob, alices):
    api.force_authenticate(bob)
    before = snapshot()

    for position in (1, 2, 3):
        response = api.post(
            f"/api/v1/threads/{alices['thread'].pk}/posts/{position}/images/",
            image_body(),
            format="multipart",
        )
        assert response.status_code == 404

    assert snapshot() == before
