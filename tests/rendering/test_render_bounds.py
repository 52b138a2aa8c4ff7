"""A render is bounded: styles that leave no room are refused with the
field and its limit, pages over the megapixel limit are refused before any
raster is allocated, empty posts are refused at the door, and the CLI names
the field of what it refuses."""

import json
import time

import pytest
from django.core.management import CommandError, call_command

from rendering import jobs
from rendering.engine.layout import PostInfo, ThreadInfo
from rendering.engine.renderer import Limits, RenderInput, RenderRefused, render
from rendering.models import Job
from tests.factories import thread_with_posts
from threads.models import Thread
from threads.style import style_validate

PREVIEW = "/api/v1/render/preview/"
PRESETS = "/api/v1/presets/"
IMPORT = "/api/v1/threads/import/"
JOBS = "/api/v1/jobs/"


def long_thread() -> RenderInput:
    return RenderInput(ThreadInfo("Long", "Ann", "ann", (PostInfo("A short line\n" * 3000),)))


def test_a_page_over_the_pixel_limit_is_refused_before_it_is_painted():
    """Refused from the layout, as soon as the card passes the limit: the
    rest of the text is never even wrapped."""
    started = time.perf_counter()
    with pytest.raises(RenderRefused) as refused:
        render(
            data=long_thread(),
            style=style_validate({}),
            kind="cards",
            fmt="png",
            scale=3,
            limits=Limits(max_pixels=40_000_000),
        )

    assert refused.value.field == "scale"
    assert "40 megapixels" in refused.value.message
    assert time.perf_counter() - started < 5, "refused while laying out, not after painting"


def test_a_render_with_too_many_pages_is_refused_by_kind():
    with pytest.raises(RenderRefused) as refused:
        render(
            data=long_thread(),
            style=style_validate({"canvas": {"size": "landscape"}}),
            kind="carousel",
            fmt="zip",
            limits=Limits(max_pages=10),
        )

    assert refused.value.field == "kind"
    assert "more than 10 pages" in refused.value.message


@pytest.mark.django_db
def test_the_preview_refuses_a_page_over_the_limit_naming_scale(as_alice, alice, settings):
    settings.RENDER_MAX_MEGAPIXELS = 1
    thread = thread_with_posts(alice, "One line of a tall card\n" * 400)

    response = as_alice.post(PREVIEW, {"thread": thread.pk, "kind": "cards", "page": 1}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert "scale" in body["errors"]
    assert "1 megapixels" in body["message"]


@pytest.mark.django_db
def test_a_job_over_the_limit_fails_with_the_reason(as_alice, alice, settings, monkeypatch):
    monkeypatch.setattr("rendering.jobs.dispatch.queue", lambda name, object_id, **_: None)
    settings.RENDER_MAX_MEGAPIXELS = 1
    thread = thread_with_posts(alice, "One line of a tall card\n" * 400)

    created = as_alice.post(JOBS, {"kind": "cards", "thread": thread.pk, "format": "png"}, format="json")
    jobs.job_run(job_id=created.json()["id"])

    job = Job.objects.get(pk=created.json()["id"])
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("scale makes a page taller than")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("style", "field"),
    [
        ({"canvas": {"padding": 200}, "card": {"padding": 160}}, "style.canvas.padding"),
        ({"canvas": {"padding": 20}, "card": {"padding": 160}, "text": {"size": 40}}, "style.card.padding"),
        ({"canvas": {"size": "landscape"}, "text": {"size": 40}}, "style.text.size"),
    ],
)
def test_a_preset_that_leaves_no_room_is_refused_naming_the_field(as_alice, style, field):
    response = as_alice.post(PRESETS, {"name": "Cramped", "style": style}, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert " px" in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("blank", ["   ", "\n\t\n", "\u200b\u2060", "\u3000 "])
def test_a_post_of_only_white_space_is_refused_at_import(as_alice, blank):
    content = {"author": {"name": "Ann", "handle": "ann"}, "posts": [{"text": "Hello"}, {"text": blank}]}

    response = as_alice.post(IMPORT, {"format": "json", "content": content}, format="json")

    assert response.status_code == 400
    assert "posts[1].text" in response.json()["errors"]
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_a_post_with_a_picture_may_go_without_text(as_alice):
    content = {
        "author": {"name": "Ann", "handle": "ann"},
        "posts": [{"text": "Hello"}, {"text": " ", "images": [{"alt": "a drawing"}]}],
    }

    response = as_alice.post(IMPORT, {"format": "json", "content": content}, format="json")

    assert response.status_code == 201


def test_the_cli_names_the_field_it_refuses(tmp_path):
    thread = {"author": {"name": "N" * 101, "handle": "ann"}, "posts": [{"text": "Hi"}]}
    source = tmp_path / "thread.json"
    source.write_text(json.dumps(thread))

    with pytest.raises(CommandError) as refused:
        call_command("render", str(source), "--out", str(tmp_path))

    assert str(refused.value).startswith("author.name")


def test_the_cli_refuses_a_cramped_style_naming_it(tmp_path):
    source = tmp_path / "thread.json"
    source.write_text(json.dumps({"author": {"name": "Ann", "handle": "ann"}, "posts": [{"text": "Hi"}]}))
    style = tmp_path / "style.json"
    style.write_text(json.dumps({"canvas": {"padding": 200}, "card": {"padding": 160}}))

    with pytest.raises(CommandError) as refused:
        call_command("render", str(source), "--style", str(style), "--out", str(tmp_path))

    assert str(refused.value).startswith("style.canvas.padding")


def test_the_overlay_outlines_the_layout_boxes(tmp_path):
    from PIL import Image

    source = tmp_path / "thread.json"
    source.write_text(
        json.dumps({"author": {"name": "Ann", "handle": "ann"}, "posts": [{"text": "Hi there"}]})
    )
    call_command("render", str(source), "--kind", "cards", "--out", str(tmp_path / "plain"))
    call_command("render", str(source), "--kind", "cards", "--overlay", "--out", str(tmp_path / "boxes"))

    plain = Image.open(tmp_path / "plain" / "card-01.png").convert("RGB")
    boxes = Image.open(tmp_path / "boxes" / "card-01.png").convert("RGB")
    red = sum(1 for pixel in boxes.get_flattened_data() if pixel == (220, 38, 38))
    assert plain.size == boxes.size
    assert red > 50, "text boxes are outlined in red"
    assert not any(pixel == (220, 38, 38) for pixel in plain.get_flattened_data())


def test_control_characters_are_never_drawn():
    from rendering.engine.layout import TextBox
    from rendering.engine.renderer import lay_out
    from rendering.engine.spec import spec_from_style

    thread = ThreadInfo("Ti\x07tle", "A\x1bnn", "ann", (PostInfo("bell\x07 escape\x1b del\x7f end\ufffe"),))
    spec = spec_from_style(style_validate({}), kind="cards", scale=1)

    texts = [
        box.line.text
        for box in lay_out(RenderInput(thread), spec, "cards")[0].boxes
        if isinstance(box, TextBox)
    ]
    assert "bell escape del end" in texts
    assert "Ann" in texts


@pytest.mark.django_db
def test_imports_drop_control_characters(as_alice):
    content = {"author": {"name": "Ann", "handle": "ann"}, "posts": [{"text": "ring\x07 the bell"}]}

    response = as_alice.post(IMPORT, {"format": "json", "content": content}, format="json")

    assert response.status_code == 201
    assert response.json()["posts"][0]["text"] == "ring the bell"
