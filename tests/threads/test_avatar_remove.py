"""Removing a thread's avatar: the row forgets it, the file goes once that
is committed (and stays if it is not)."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tests.factories import png_bytes, thread_with_posts
from threads.services import thread_remove_avatar, thread_set_avatar

pytestmark = pytest.mark.django_db


@pytest.fixture
def pictured(alice):
    thread = thread_with_posts(alice, "One.")
    return thread_set_avatar(thread=thread, upload=SimpleUploadedFile("a.png", png_bytes()))


def test_the_avatar_and_its_file_go_on_commit(pictured, django_capture_on_commit_callbacks):
    stored = pictured.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        thread = thread_remove_avatar(thread=pictured)

    thread.refresh_from_db()
    assert not thread.avatar
    assert not default_storage.exists(stored)


@transaction.atomic
def remove_then_fail(thread):
    thread_remove_avatar(thread=thread)
    raise RuntimeError("rolled back")


def test_a_rolled_back_removal_keeps_the_file(pictured, django_capture_on_commit_callbacks):
    stored = pictured.avatar.name

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        remove_then_fail(pictured)

    pictured.refresh_from_db()
    assert pictured.avatar.name == stored
    assert default_storage.exists(stored)


def test_removing_no_avatar_changes_nothing(alice, django_capture_on_commit_callbacks):
    thread = thread_with_posts(alice, "One.")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        thread_remove_avatar(thread=thread)

    assert callbacks == []
    assert not thread.avatar
