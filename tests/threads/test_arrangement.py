"""The carousel arrangement document: strict on the way in (every problem
named by its path), lenient on a stored one the posts have outgrown."""

import pytest

from config.errors import Invalid
from threads.arrangement import VERSION, fitted, paragraph_counts, validate

COUNTS = [1, 3, 4]  # three posts: one, three and four paragraphs


def test_empty_means_no_arrangement():
    assert validate({}, COUNTS) == {}
    assert validate(None, COUNTS) == {}


def test_version_one_reads_as_version_two_with_defaults():
    document = validate({"posts": [3, 1], "title": "Cover"}, COUNTS)

    assert document == {
        "version": VERSION,
        "posts": [3, 1],
        "title": "Cover",
        "end_text": "",
        "breaks": [],
        "keep": [],
        "slides": [],
        "cover": True,
        "end": True,
    }


def test_a_full_document_is_kept_in_reading_order():
    document = validate(
        {
            "version": 2,
            "breaks": [{"post": 3, "paragraph": 4}, {"post": 2, "paragraph": 2}],
            "keep": [2],
            "slides": [{"post": 3, "slide": 2, "hidden": True}, {"post": 1, "slide": 1, "text": "Mine."}],
            "cover": False,
        },
        COUNTS,
    )

    assert document["breaks"] == [{"post": 2, "paragraph": 2}, {"post": 3, "paragraph": 4}]
    assert document["slides"] == [
        {"post": 1, "slide": 1, "text": "Mine."},
        {"post": 3, "slide": 2, "hidden": True},
    ]
    assert document["cover"] is False


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([], "carousel"),
        ({"layout": 1}, "carousel.layout"),
        ({"version": 3}, "carousel.version"),
        ({"posts": []}, "carousel.posts"),
        ({"posts": [4]}, "carousel.posts[0]"),
        ({"posts": [1, 1]}, "carousel.posts[1]"),
        ({"title": "x" * 201}, "carousel.title"),
        ({"breaks": {"post": 2}}, "carousel.breaks"),
        ({"breaks": [{"post": 2}]}, "carousel.breaks[0].paragraph"),
        ({"breaks": [{"post": 2, "paragraph": 1}]}, "carousel.breaks[0].paragraph"),
        ({"breaks": [{"post": 2, "paragraph": 4}]}, "carousel.breaks[0].paragraph"),
        ({"breaks": [{"post": 1, "paragraph": 2}]}, "carousel.breaks[0].paragraph"),
        ({"breaks": [{"post": 2, "paragraph": 2, "at": 1}]}, "carousel.breaks[0].at"),
        ({"breaks": [{"post": 2, "paragraph": 2}, {"post": 2, "paragraph": 2}]}, "carousel.breaks[1]"),
        ({"keep": [True]}, "carousel.keep[0]"),
        ({"slides": [{"post": 2, "slide": 1}]}, "carousel.slides[0]"),
        ({"slides": [{"post": 2, "slide": 0, "hidden": True}]}, "carousel.slides[0].slide"),
        ({"slides": [{"post": 2, "slide": 1, "text": 5}]}, "carousel.slides[0].text"),
        ({"slides": [{"post": 2, "slide": 1, "hidden": "yes"}]}, "carousel.slides[0].hidden"),
        ({"cover": 0}, "carousel.cover"),
    ],
)
def test_every_problem_is_named_by_its_path(document, field):
    with pytest.raises(Invalid) as caught:
        validate(document, COUNTS)
    assert caught.value.field == field


def test_a_stored_arrangement_loses_only_what_the_posts_no_longer_have():
    stored = validate(
        {
            "posts": [3, 2, 1],
            "breaks": [{"post": 2, "paragraph": 3}, {"post": 3, "paragraph": 4}],
            "keep": [3],
            "slides": [
                {"post": 3, "slide": 1, "text": "Own words."},
                {"post": 1, "slide": 1, "hidden": True},
            ],
        },
        COUNTS,
    )

    shrunk = fitted(stored, [1, 2])  # post 3 removed, post 2 lost a paragraph

    assert shrunk["posts"] == [2, 1]
    assert shrunk["breaks"] == []
    assert shrunk["keep"] == []
    assert shrunk["slides"] == [{"post": 1, "slide": 1, "hidden": True}]


def test_paragraphs_are_counted_as_the_renderer_cuts_them():
    assert paragraph_counts(["One.", "One.\n\nTwo.\n\n\n\nThree.", "  \n\nOnly.\n"]) == [1, 3, 1]


def test_a_stored_arrangement_without_chosen_posts_reads_back():
    stored = validate({"end": False}, COUNTS)

    assert fitted(stored, COUNTS) == stored
    assert fitted(validate({"posts": [3]}, COUNTS), [1, 3])["posts"] == []


def test_a_thread_without_posts_reads_its_arrangement_back():
    stored = validate({"end": False, "slides": [{"post": 1, "slide": 1, "hidden": True}]}, COUNTS)

    assert fitted(stored, [])["end"] is False
    assert fitted(stored, [])["slides"] == []
