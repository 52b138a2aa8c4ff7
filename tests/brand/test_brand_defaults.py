"""A thread that names no author is the user's own: it starts with their
brand kit's name, handle and avatar. One that names its author keeps it."""

import io

import pytest
from django.core.files.storage import default_storage

from brand import services as brand_services
from rendering import previews
from tests.factories import png_bytes
from threads import services

pytestmark = pytest.mark.django_db

NUMBERED = "1/ Why I write every morning.\n\n2/ It clears my head before the inbox fills it."


def kit_for(user, *, avatar: bool = True):
    brand_services.brand_kit_update(owner=user, changes={"author_name": "Ada Writes", "handle": "adawrites"})
    if avatar:
        brand_services.brand_image_set(owner=user, which="avatar", upload=io.BytesIO(png_bytes(64, 64)))
    return brand_services.brand_kit_of(owner=user)


def test_a_numbered_paste_takes_the_brand_kits_author_and_avatar(alice):
    kit = kit_for(alice)

    thread = services.thread_import(owner=alice, format="text", content=NUMBERED)

    assert (thread.author_name, thread.handle) == ("Ada Writes", "adawrites")
    assert thread.avatar.name
    assert thread.avatar.name != kit.avatar.name, "a copy of its own"
    assert default_storage.open(thread.avatar.name).read() == default_storage.open(kit.avatar.name).read()


def test_removing_the_threads_avatar_leaves_the_kits(alice, django_capture_on_commit_callbacks):
    kit = kit_for(alice)
    thread = services.thread_import(owner=alice, format="text", content=NUMBERED)

    with django_capture_on_commit_callbacks(execute=True):
        services.thread_remove_avatar(thread=thread)

    assert default_storage.exists(kit.avatar.name)


def test_a_thread_that_names_its_author_keeps_them(alice):
    kit_for(alice)
    content = {
        "author": {"name": "Grace Hopper", "handle": "grace"},
        "posts": [{"text": "Ships are safe in harbour."}],
    }

    thread = services.thread_import(owner=alice, format="json", content=content)

    assert (thread.author_name, thread.handle, thread.avatar.name) == ("Grace Hopper", "grace", "")


def test_without_a_kit_nothing_is_filled_in(alice, bob):
    kit_for(bob)

    thread = services.thread_import(owner=alice, format="text", content=NUMBERED)

    assert (thread.author_name, thread.handle, thread.avatar.name) == ("", "", "")


def end_slide_text(user, thread, carousel=None) -> str:
    pages = previews.slides(
        user=user,
        thread_id=thread.pk,
        thread_data=None,
        kind="carousel",
        preset=None,
        style=None,
        carousel=carousel,
        placeholders="keep",
    )
    assert pages[-1]["role"] == "end"
    return pages[-1]["text"]


def test_the_kits_end_line_closes_a_carousel_unless_the_studio_gives_one(alice):
    thread = services.thread_import(owner=alice, format="text", content=NUMBERED)
    before = end_slide_text(alice, thread)
    brand_services.brand_kit_update(owner=alice, changes={"end_text": "A new thread every Monday."})

    assert "A new thread every Monday." not in before
    assert "A new thread every Monday." in end_slide_text(alice, thread)
    own = {"version": 2, "end_text": "Part two on Friday."}
    assert "Part two on Friday." in end_slide_text(alice, thread, own)
    assert "Monday" not in end_slide_text(alice, thread, own)
