"""The previews a process keeps in memory: by content hash, bounded in
bytes, answered again without drawing, and never for changed content."""

import pytest
from django.core.cache import cache

from rendering import previews
from rendering.engine.renderer import RenderedPage
from tests.factories import thread_with_posts
from threads.services import thread_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty():
    previews.RECENT.clear()
    yield
    previews.RECENT.clear()


def ask(user, thread, **more):
    request = {
        "user": user,
        "thread_id": thread.pk,
        "thread_data": None,
        "kind": "cards",
        "preset": None,
        "style": {"card": {"radius": 12}},
        "carousel": None,
        "placeholders": "keep",
        **more,
    }
    return previews.preview(page=1, fmt="png", scale=1, **request)


def test_a_preview_asked_again_comes_from_memory(alice):
    thread = thread_with_posts(alice, "Kept in memory.")
    first, digest = ask(alice, thread)
    cache.clear()  # not from the shared cache either

    again, same = ask(alice, thread)

    assert same == digest
    assert again is first
    assert previews.RECENT.get(digest) is first


def test_changed_content_is_drawn_again(alice):
    thread = thread_with_posts(alice, "Before the edit.")
    first, digest = ask(alice, thread)

    thread_update(thread=thread, changes={"author_name": "Someone Else"})
    again, changed = ask(alice, thread)

    assert changed != digest
    assert again.content != first.content


def test_the_memory_is_bounded_in_bytes():
    kept = previews.RECENT
    page = RenderedPage(b"x" * (kept.budget // 4), "image/png", 1, 1, 1, "")
    for number in range(10):
        kept.put(f"page-{number}", page)

    assert kept.used <= kept.budget
    assert kept.get("page-0") is None
    assert kept.get("page-9") is page
