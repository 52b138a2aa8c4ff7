"""Moving a post within its thread: the others shift by one, and the
thread's saved carousel arrangement follows the posts it names."""

import pytest

from config.errors import Invalid
from tests.factories import thread_with_posts
from threads.models import Thread
from threads.services import post_move

pytestmark = pytest.mark.django_db


def texts(thread: Thread) -> list[str]:
    return list(thread.posts.order_by("position").values_list("text", flat=True))


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "A", "B", "C", "D")


@pytest.mark.parametrize(
    ("text", "position", "order"),
    [
        ("D", 1, ["D", "A", "B", "C"]),
        ("A", 4, ["B", "C", "D", "A"]),
        ("B", 3, ["A", "C", "B", "D"]),
        ("C", 2, ["A", "C", "B", "D"]),
        ("B", 2, ["A", "B", "C", "D"]),
    ],
)
def test_a_post_moves_and_the_others_shift(thread, text, position, order):
    moved = post_move(post=thread.posts.get(text=text), position=position)

    assert moved.position == position
    assert texts(thread) == order
    assert list(thread.posts.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4]


@pytest.mark.parametrize("position", [0, 5, -1])
def test_a_position_outside_the_thread_is_refused(thread, position):
    with pytest.raises(Invalid) as refused:
        post_move(post=thread.posts.get(text="A"), position=position)

    assert refused.value.field == "position"
    assert "from 1 to 4" in refused.value.message
    assert texts(thread) == ["A", "B", "C", "D"]


def test_the_arrangement_follows_the_posts(thread):
    thread.arrangement = {
        "version": 2,
        "posts": [4, 1, 2],
        "title": "",
        "end_text": "",
        "breaks": [{"post": 4, "paragraph": 2}],
        "keep": [1],
        "slides": [{"post": 2, "slide": 1, "text": "B's own words"}, {"post": 9, "slide": 1, "hidden": True}],
        "cover": True,
        "end": True,
    }
    thread.save()

    post_move(post=thread.posts.get(text="D"), position=1)  # D A B C

    thread.refresh_from_db()
    assert thread.arrangement["posts"] == [1, 2, 3], "D, A, B as chosen, by their new numbers"
    assert thread.arrangement["breaks"] == [{"post": 1, "paragraph": 2}]
    assert thread.arrangement["keep"] == [2]
    assert thread.arrangement["slides"] == [
        {"post": 3, "slide": 1, "text": "B's own words"},
        {"post": 9, "slide": 1, "hidden": True},
    ]


def test_a_thread_without_an_arrangement_keeps_none(thread):
    post_move(post=thread.posts.get(text="A"), position=2)

    thread.refresh_from_db()
    assert thread.arrangement == {}
