"""Carousel Studio's slide control through the API: the thread keeps its
arrangement (breaks, kept posts, slides with words of their own or left
out), previews and exports use it byte for byte, and /render/slides/ says
what each slide shows."""

import pytest

from rendering.adapters import input_from_thread
from rendering.engine.renderer import arrange, render
from rendering.jobs.single import exported_thread, render_thread
from rendering.models import Job
from tests.factories import thread_with_posts
from threads.arrangement import engine_arrangement
from threads.style import style_validate

PREVIEW = "/api/v1/render/preview/"
SLIDES = "/api/v1/render/slides/"
LONG = "\n\n".join(
    f"Paragraph {n}. The tide came in slowly and the boats rose with it, one by one, until the harbour "
    "looked like a different place altogether."
    for n in range(1, 13)
)


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "Opening words.", LONG, "Closing words.", title="Harbour")


def slides(client, thread, **body):
    response = client.post(SLIDES, {"thread": thread.pk, "kind": "carousel", **body}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["slides"]


@pytest.mark.django_db
def test_slides_say_what_each_page_shows(as_alice, thread):
    found = slides(as_alice, thread)

    assert found[0]["role"] == "cover"
    assert found[-1]["role"] == "end"
    middle = [slide for slide in found if slide["posts"] == [2]]
    assert len(middle) >= 2
    assert [slide["slide"] for slide in middle] == list(range(1, len(middle) + 1))
    assert middle[0]["paragraphs"][0] == 1
    assert middle[1]["text"].startswith(f"Paragraph {middle[1]['paragraphs'][0]}.")


@pytest.mark.django_db
def test_a_saved_arrangement_shapes_preview_and_export_alike(as_alice, thread, alice):
    arrangement = {
        "posts": [2, 1],
        "breaks": [{"post": 2, "paragraph": 3}],
        "slides": [{"post": 1, "slide": 1, "text": "My own opening line."}],
        "end": False,
    }
    saved = as_alice.patch(f"/api/v1/threads/{thread.pk}/", {"arrangement": arrangement}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["arrangement"]["breaks"] == [{"post": 2, "paragraph": 3}]

    found = slides(as_alice, thread)
    assert found[1]["posts"] == [2]
    assert found[1]["paragraphs"] == [1, 2]
    assert found[2]["paragraphs"][0] == 3, "the manual break starts a slide"
    assert found[-1]["text"] == "My own opening line."
    assert found[-1]["role"] == "post", "no end slide"
    thread.refresh_from_db()
    assert thread.posts.get(position=1).text == "Opening words.", "the post itself is unchanged"

    job = Job.objects.create(
        owner=alice, kind="carousel", thread_ids=[thread.pk], style=style_validate({}), format="png"
    )
    exported = render_thread(job, exported_thread(job, thread.pk), "carousel")
    assert len(exported) == len(found)
    page = as_alice.post(PREVIEW, {"thread": thread.pk, "kind": "carousel", "page": 3}, format="json")
    assert page.content == exported[2].content


@pytest.mark.django_db
def test_a_job_or_preview_may_bring_its_own_arrangement(as_alice, thread):
    as_alice.patch(f"/api/v1/threads/{thread.pk}/", {"arrangement": {"posts": [3]}}, format="json")
    own = {"version": 2, "slides": [{"post": 2, "slide": 1, "hidden": True}], "cover": False}

    found = slides(as_alice, thread, carousel=own)

    assert found[0]["posts"] == [1]
    assert all(slide["slide"] != 1 for slide in found if slide["posts"] == [2])
    expected = render(
        data=arrange(input_from_thread(thread), engine_arrangement({**own, "end": True})),
        style=style_validate({}),
        kind="carousel",
        fmt="png",
    )
    assert len(expected) == len(found)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arrangement", "field"),
    [
        ({"breaks": [{"post": 2, "paragraph": 40}]}, "arrangement.breaks[0].paragraph"),
        ({"slides": [{"post": 9, "slide": 1, "hidden": True}]}, "arrangement.slides[0].post"),
        ({"keep": "2"}, "arrangement.keep"),
        ([1, 2], "arrangement"),
    ],
)
def test_a_bad_arrangement_is_refused_naming_the_field(as_alice, thread, arrangement, field):
    response = as_alice.patch(f"/api/v1/threads/{thread.pk}/", {"arrangement": arrangement}, format="json")

    assert response.status_code == 400
    assert field in response.json()["message"]
    thread.refresh_from_db()
    assert thread.arrangement == {}


@pytest.mark.django_db
def test_slides_refuse_a_bad_carousel_and_hiding_everything(as_alice, thread):
    bad = as_alice.post(
        SLIDES,
        {
            "thread": thread.pk,
            "kind": "carousel",
            "carousel": {"slides": [{"post": 1, "slide": 0, "hidden": True}]},
        },
        format="json",
    )
    nothing = {
        "posts": [1],
        "slides": [{"post": 1, "slide": 1, "hidden": True}],
        "cover": False,
        "end": False,
    }
    empty = as_alice.post(
        SLIDES, {"thread": thread.pk, "kind": "carousel", "carousel": nothing}, format="json"
    )

    assert bad.status_code == 400
    assert "carousel.slides[0].slide" in bad.json()["message"]
    assert empty.status_code == 400
    assert empty.json()["message"].startswith("carousel")


@pytest.mark.django_db
def test_a_saved_arrangement_outgrown_by_its_posts_still_renders(as_alice, thread):
    as_alice.patch(
        f"/api/v1/threads/{thread.pk}/",
        {"arrangement": {"posts": [3, 2], "breaks": [{"post": 2, "paragraph": 9}]}},
        format="json",
    )
    posts = [{"id": post.pk} for post in thread.posts.order_by("position")][:2]
    assert as_alice.patch(f"/api/v1/threads/{thread.pk}/", {"posts": posts}, format="json").status_code == 200

    found = slides(as_alice, thread)

    assert {tuple(slide["posts"]) for slide in found if slide["role"] == "post"} == {(2,)}


@pytest.mark.django_db
def test_warnings_follow_the_saved_arrangement(as_alice, thread):
    from threads.models import PostImage

    PostImage.objects.create(post=thread.posts.get(position=1), order=0)
    PostImage.objects.create(post=thread.posts.get(position=3), order=0)
    as_alice.patch(f"/api/v1/threads/{thread.pk}/", {"arrangement": {"posts": [3, 2]}}, format="json")

    job = as_alice.post(
        "/api/v1/jobs/", {"kind": "carousel", "thread": thread.pk, "format": "pdf"}, format="json"
    )

    assert job.status_code == 202, job.content
    assert [warning["posts"] for warning in job.json()["warnings"]] == [[3]]
