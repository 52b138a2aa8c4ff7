"""Fractional scales (issue 15): the editor's preview at display size, still
the engine's render and byte for byte a page of an export at that scale."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from accounts.models import Plan
from rendering import jobs
from rendering.adapters import input_from_thread
from rendering.engine.renderer import render
from rendering.engine.vocabulary import DRAWN_SCALES, output_size
from rendering.models import Job
from tests.factories import thread_with_posts
from tests.workers import wait_for
from threads.style import style_validate

PREVIEW = "/api/v1/render/preview/"
JOBS = "/api/v1/jobs/"
WORDS = "Words that take a line or two to lay out, and then a few more of them. " * 5

# Every page size at every scale, halves rounded up (1350 × 0.75 = 1012.5).
SIZES = {
    ("carousel", "portrait"): {0.5: (540, 675), 0.75: (810, 1013), 1: (1080, 1350), 1.5: (1620, 2025),
                               2: (2160, 2700), 2.5: (2700, 3375), 3: (3240, 4050)},
    ("cards", "landscape"): {0.5: (600, 338), 0.75: (900, 506), 1: (1200, 675), 1.5: (1800, 1013),
                             2: (2400, 1350), 2.5: (3000, 1688), 3: (3600, 2025)},
    ("cards", "auto"): {0.5: (300, None), 0.75: (450, None), 1: (600, None), 1.5: (900, None),
                        2: (1200, None), 2.5: (1500, None), 3: (1800, None)},
    ("thread", "square"): {0.5: (300, None), 0.75: (450, None), 1: (600, None), 1.5: (900, None),
                           2: (1200, None), 2.5: (1500, None), 3: (1800, None)},
    ("carousel", "auto"): {0.5: (540, 675), 0.75: (810, 1013), 1: (1080, 1350), 1.5: (1620, 2025),
                           2: (2160, 2700), 2.5: (2700, 3375), 3: (3240, 4050)},
}  # fmt: skip


@pytest.mark.parametrize(("kind", "size"), list(SIZES))
def test_output_size_at_every_scale_is_exact(kind, size):
    assert {scale: output_size(kind, size, scale) for scale in DRAWN_SCALES} == SIZES[(kind, size)]


@pytest.mark.parametrize("scale", [0.3, 0.25, 4, 1.25, "1", None, True])
def test_output_size_refuses_other_scales(scale):
    with pytest.raises(ValueError, match="is not a scale"):
        output_size("cards", "square", scale)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "size"), [("carousel", "portrait"), ("cards", "landscape"), ("cards", "auto")]
)
def test_a_render_at_a_fraction_has_its_sizes_and_the_pages_of_1x(alice, kind, size):
    thread = thread_with_posts(alice, WORDS, "A short one.", WORDS + WORDS, title="Fractions")
    data = input_from_thread(thread)
    style = style_validate({"canvas": {"size": size}, "text": {"line_height": 1.45, "size": 17}})
    whole = render(data=data, style=style, kind=kind, fmt="png", scale=1)
    for scale in (0.5, 0.75):
        files = render(data=data, style=style, kind=kind, fmt="png", scale=scale)
        width, height = output_size(kind, size, scale)
        assert [file.alt for file in files] == [file.alt for file in whole], "the pages of 1×"
        for file, at_one in zip(files, whole, strict=True):
            image = Image.open(io.BytesIO(file.content))
            assert image.size == (file.width, file.height)
            assert image.width == width
            # A fitted height is 1×'s, rounded as output_size rounds.
            assert image.height == (height or int(at_one.height * scale + 0.5))


@pytest.mark.django_db
@pytest.mark.parametrize("scale", [0.3, 4, "x", 1.25, None])
def test_a_refused_scale_is_a_400_naming_scale(as_alice, alice, scale):
    thread = thread_with_posts(alice, "One post.", title="Scales")
    preview = as_alice.post(PREVIEW, {"thread": thread.pk, "scale": scale}, format="json")
    job = as_alice.post(
        JOBS, {"kind": "cards", "thread": thread.pk, "format": "png", "scale": scale}, format="json"
    )

    for response in (preview, job):
        assert response.status_code == 400, response.content
        assert "scale" in response.content.decode()


@pytest.mark.django_db
def test_the_free_plan_refuses_3_but_takes_a_fraction(as_alice, alice):
    assert alice.plan_id == Plan.FREE
    assert alice.plan.max_scale < 3
    thread = thread_with_posts(alice, "One post.", title="Plan")
    refused = as_alice.post(
        JOBS, {"kind": "carousel", "thread": thread.pk, "format": "png", "scale": 3}, format="json"
    )
    taken = as_alice.post(
        JOBS, {"kind": "carousel", "thread": thread.pk, "format": "png", "scale": 0.5}, format="json"
    )
    preview = as_alice.post(PREVIEW, {"thread": thread.pk, "kind": "carousel", "scale": 0.5}, format="json")

    assert refused.status_code == 400
    assert "scale" in refused.json()["errors"]
    assert "up to 2×" in refused.content.decode()
    assert taken.status_code == 202, taken.content
    assert taken.json()["scale"] == 0.5
    assert preview.status_code == 200
    assert Image.open(io.BytesIO(preview.content)).size == (540, 675)


@pytest.mark.django_db
def test_whole_scales_read_back_as_whole_numbers(as_alice, alice):
    thread = thread_with_posts(alice, "One post.", title="Whole")
    made = as_alice.post(
        JOBS, {"kind": "cards", "thread": thread.pk, "format": "png", "scale": 2}, format="json"
    )

    assert made.status_code == 202
    assert made.json()["scale"] == 2
    assert isinstance(made.json()["scale"], int)


@pytest.mark.django_db(transaction=True)
def test_a_preview_at_half_scale_is_the_exported_slide_byte_for_byte(cluster, alice, as_alice):
    thread = thread_with_posts(alice, WORDS, "Second post 🎉 with an emoji.", WORDS, title="Byte for byte")
    style = {"canvas": {"size": "portrait"}, "text": {"size": 18}}
    cluster()
    job, _ = jobs.job_create(
        user=alice,
        request=jobs.JobRequest(kind="carousel", threads=[thread.pk], format="zip", scale=0.5, style=style),
    )
    wait_for(lambda: Job.objects.get(pk=job.pk).status not in Job.ACTIVE, what="the export")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    archive = zipfile.ZipFile(default_storage.open(job.result.name))
    slides = sorted(name for name in archive.namelist() if name.endswith(".png"))

    for number, name in enumerate(slides, start=1):
        response = as_alice.post(
            PREVIEW,
            {"thread": thread.pk, "kind": "carousel", "page": number, "style": style, "scale": 0.5},
            format="json",
        )
        assert response.status_code == 200
        assert response["X-Page-Count"] == str(len(slides))
        assert response.content == archive.read(name), f"slide {number}"
    assert Image.open(io.BytesIO(archive.read(slides[0]))).size == (540, 675)
