"""An archive's threads saved for a user (the service, without a worker):
text, pictures, avatar, and a second import that changes nothing."""

import io

import pytest
from django.core.files.storage import default_storage

from tests.threads import archive_maker as maker
from threads.archive.services import archive_import
from threads.images import image_clean
from threads.models import Post, PostImage, Thread

pytestmark = pytest.mark.django_db


def run(owner, content: bytes, min_posts: int = 2):
    seen: list[tuple[int, int]] = []
    outcome = archive_import(
        owner=owner, fileobj=io.BytesIO(content), min_posts=min_posts, progress=lambda *p: seen.append(p)
    )
    return outcome, seen


def snapshot(owner) -> list[tuple]:
    """Every row an import writes, with its files' bytes."""
    rows = []
    for thread in Thread.objects.filter(owner=owner).order_by("id"):
        avatar = default_storage.open(thread.avatar.name).read() if thread.avatar else b""
        rows.append(
            (
                thread.pk,
                thread.title,
                thread.author_name,
                thread.handle,
                thread.source_url,
                thread.source_key,
                thread.draft,
                thread.avatar.name,
                avatar,
                thread.updated,
            )
        )
        for post in Post.objects.filter(thread=thread).order_by("position"):
            rows.append((post.pk, post.position, post.text, post.source_id))
            for image in post.images.order_by("order"):
                content = default_storage.open(image.file.name).read() if image.file else b""
                rows.append((image.pk, image.order, image.file.name, image.source_url, image.alt, content))
    return rows


def test_threads_are_saved_with_their_text_pictures_and_avatar(alice):
    outcome, seen = run(alice, maker.sample().zip())

    first, second = (Thread.objects.get(pk=pk) for pk in outcome.threads)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    assert (outcome.pictures, outcome.pictures_missing, outcome.skipped) == (2, 1, [])
    assert seen[-1] == (2, 2)
    assert first.source_url == f"https://x.com/{maker.USERNAME}/status/1001"
    assert first.source_key == "1001"
    assert (first.author_name, first.handle, first.draft) == (maker.DISPLAY_NAME, maker.USERNAME, False)
    posts = list(first.posts.order_by("position"))
    assert [post.source_id for post in posts] == ["1001", "1002", "1003", "1004"]
    assert posts[1].text == f"First: caching beats raw speed. My notes: {maker.LINK} (long read)"
    assert posts[3].text == "Third: write it down. 3 < 4 > 2"
    pictures = list(posts[2].images.order_by("order"))
    assert [image.is_placeholder for image in pictures] == [False, False]
    assert pictures[0].alt == "A dashboard of build times"
    red = image_clean(maker.jpeg(maker.RED)).content
    assert default_storage.open(pictures[0].file.name).read() == red
    assert (pictures[1].width, pictures[1].height) == (40, 40)
    avatar = default_storage.open(first.avatar.name).read()
    assert avatar == image_clean(maker.jpeg(maker.GREEN, (64, 64))).content
    clip = second.posts.get(position=2).images.get()
    assert clip.is_placeholder
    assert clip.source_url == "https://pbs.twimg.com/ext_tw_video_thumb/5/pu/img/poster.jpg"
    assert [p.text for p in second.posts.order_by("position")] == [
        "Why <div> soup happens",
        "A clip of the fix",
    ]


def test_importing_the_same_archive_again_changes_nothing(alice):
    content = maker.sample().zip()
    first, _ = run(alice, content)
    before = snapshot(alice)
    files = sorted(default_storage.listdir("post-images")[0])

    again, _ = run(alice, content)

    assert again.threads == first.threads
    assert (again.created, again.updated, again.unchanged, again.pictures) == (0, 0, 2, 0)
    assert snapshot(alice) == before
    assert sorted(default_storage.listdir("post-images")[0]) == files
    assert (Thread.objects.count(), Post.objects.count(), PostImage.objects.count()) == (2, 6, 3)


def test_an_edited_post_is_updated_in_place(alice):
    sample = maker.sample()
    first, _ = run(alice, sample.zip())
    sample.parts[1][0]["full_text"] = "Why &lt;div&gt; soup happens, and how we stopped it"

    again, _ = run(alice, sample.zip())

    assert again.threads == first.threads
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Thread.objects.get(pk=first.threads[1]).posts.get(position=1).text.endswith("how we stopped it")


def test_each_user_gets_their_own_copy(alice, bob):
    content = maker.sample().zip()
    mine, _ = run(alice, content)
    theirs, _ = run(bob, content)
    assert (theirs.created, set(theirs.threads) & set(mine.threads)) == (2, set())
    assert Thread.objects.filter(owner=alice).count() == Thread.objects.filter(owner=bob).count() == 2


def test_a_thread_past_the_limits_is_skipped_with_the_reason(alice, settings):
    settings.THREAD_MAX_POSTS = 3
    outcome, _ = run(alice, maker.sample().zip())
    assert len(outcome.threads) == 1
    assert outcome.skipped == [
        {
            "source_url": f"https://x.com/{maker.USERNAME}/status/1001",
            "posts": 4,
            "reason": "A thread can have at most 3 posts (this one has 4).",
        }
    ]


def test_a_picture_the_archive_lacks_stays_an_image_to_add(alice):
    sample = maker.sample()
    del sample.media["1003-Fdash2.png"]
    outcome, _ = run(alice, sample.zip())
    assert (outcome.pictures, outcome.pictures_missing) == (1, 2)
    missing = PostImage.objects.get(source_url="https://pbs.twimg.com/media/Fdash2?format=png&name=orig")
    assert missing.is_placeholder


def test_every_thread_has_its_own_avatar_file_and_a_new_avatar_replaces_it(alice):
    sample = maker.sample()
    first, _ = run(alice, sample.zip())
    names = [Thread.objects.get(pk=pk).avatar.name for pk in first.threads]
    assert len(set(names)) == 2

    sample.avatar = maker.jpeg(maker.RED, (64, 64))
    red = image_clean(sample.avatar).content
    again, _ = run(alice, sample.zip())

    assert (again.updated, again.unchanged) == (2, 0)
    for pk in again.threads:
        avatar = Thread.objects.get(pk=pk).avatar
        assert avatar.name not in names
        assert default_storage.open(avatar.name).read() == red
