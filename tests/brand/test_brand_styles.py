"""Styles and the brand kit: `text.font` may name the owner's own fonts (no
one else's), `logo` places the kit's logo; previews and exports draw both,
and their caches and de-duplication change when the logo or font does."""

import io
import zipfile

import numpy
import pytest
from django.core.files.storage import default_storage
from PIL import Image
from rest_framework.test import APIClient

from brand.services import brand_image_remove, brand_image_set, font_add, font_delete
from config.errors import Invalid
from rendering import dedupe, jobs
from rendering.models import Job
from tests.brand.fontmaker import make_font
from tests.factories import thread_with_posts
from tests.workers import wait_for
from threads.models import StylePreset
from threads.services import preset_create, validated_style

FAMILY = "Harbour Grotesk"
GREEN = (0, 200, 80)
PREVIEW, PRESETS, JOBS = "/api/v1/render/preview/", "/api/v1/presets/", "/api/v1/jobs/"


def logo_file(colour: tuple[int, int, int] = GREEN) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), colour).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def add_font(user, family: str = FAMILY, **options):
    return font_add(owner=user, upload=io.BytesIO(make_font(family, **options)), family=family)


def image_of(content: bytes) -> numpy.ndarray:
    return numpy.asarray(Image.open(io.BytesIO(content)).convert("RGB")).astype(int)


def green_share(content: bytes) -> float:
    pixels = image_of(content)
    return float(numpy.mean(numpy.all(pixels == GREEN, axis=2)))


def refused_field(answer) -> str:
    assert answer.status_code == 400, answer.content
    [field] = answer.json()["errors"]
    return field


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "Hello World, a café and שלום 👋.", "Second post.", title="Brand")


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """No worker here: messages are recorded and the test runs the job."""
    messages: list[int] = []
    monkeypatch.setattr(
        "rendering.jobs.dispatch.queue", lambda name, object_id, **_: messages.append(object_id)
    )
    return messages


# --- Validation ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owners_font_is_a_family_their_styles_may_name(alice):
    add_font(alice)

    style = validated_style(owner=alice, style={"text": {"font": FAMILY}})

    assert style["text"]["font"] == FAMILY
    assert style["logo"] == {"corner": "none", "size": 48}


@pytest.mark.django_db
def test_another_users_font_is_refused_naming_text_font(alice, bob, api):
    add_font(alice)
    api.force_authenticate(bob)

    with pytest.raises(Invalid) as refused:
        validated_style(owner=bob, style={"text": {"font": FAMILY}})
    answer = api.post(PRESETS, {"name": "Borrowed", "style": {"text": {"font": FAMILY}}}, format="json")

    assert refused.value.field == "style.text.font"
    assert refused_field(answer) == "style.text.font"
    assert not StylePreset.objects.filter(owner=bob).exists()


@pytest.mark.django_db
def test_every_place_that_takes_a_style_checks_fonts_for_its_user(alice, bob, api, thread, sent):
    add_font(alice)
    bobs = thread_with_posts(bob, "Bob's post.")
    api.force_authenticate(bob)
    style = {"text": {"font": FAMILY}}

    preview = api.post(
        PREVIEW, {"thread": bobs.pk, "kind": "cards", "page": 1, "style": style}, format="json"
    )
    job = api.post(JOBS, {"kind": "cards", "thread": bobs.pk, "format": "png", "style": style}, format="json")
    draft = api.patch(f"/api/v1/threads/{bobs.pk}/", {"style_draft": style}, format="json")

    assert refused_field(preview) == "style.text.font"
    assert refused_field(job) == "style.text.font"
    assert refused_field(draft) == "style_draft.text.font"
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_alice_may_use_her_font_everywhere(as_alice, alice, thread, sent):
    add_font(alice)
    style = {"text": {"font": FAMILY}, "logo": {"corner": "top-left"}}

    assert as_alice.post(PRESETS, {"name": "Mine", "style": style}, format="json").status_code == 201
    assert (
        as_alice.patch(f"/api/v1/threads/{thread.pk}/", {"style_draft": style}, format="json").status_code
        == 200
    )
    answer = as_alice.post(
        JOBS, {"kind": "cards", "thread": thread.pk, "format": "png", "style": style}, format="json"
    )
    assert answer.status_code == 202
    assert answer.json()["warnings"] == []


@pytest.mark.parametrize(
    ("logo", "field"),
    [
        ({"corner": "middle"}, "style.logo.corner"),
        ({"corner": None}, "style.logo.corner"),
        ({"size": 10}, "style.logo.size"),
        ({"size": 161}, "style.logo.size"),
        ({"size": 48.5}, "style.logo.size"),
        ({"size": True}, "style.logo.size"),
        ({"where": "top"}, "style.logo.where"),
        ("top-left", "style.logo"),
    ],
)
@pytest.mark.django_db
def test_logo_settings_are_checked_strictly(alice, logo, field):
    with pytest.raises(Invalid) as refused:
        validated_style(owner=alice, style={"logo": logo})

    assert refused.value.field == field
    assert field in refused.value.message


@pytest.mark.django_db
def test_a_logo_too_tall_for_a_landscape_slide_is_refused_naming_its_size(alice):
    style = {"canvas": {"size": "landscape"}, "logo": {"corner": "top-left", "size": 160}}

    with pytest.raises(Invalid) as refused:
        validated_style(owner=alice, style=style)

    assert refused.value.field == "style.logo.size"
    validated_style(owner=alice, style={**style, "logo": {"corner": "none", "size": 160}})


# --- A deleted font -----------------------------------------------------------


@pytest.mark.django_db
def test_a_preset_whose_font_was_deleted_exports_in_inter_with_a_warning(alice, thread, sent):
    font = add_font(alice)
    preset = preset_create(owner=alice, name="Branded", style={"text": {"font": FAMILY}})
    font_delete(font=font)
    inter = jobs.job_create(
        user=alice, request=jobs.JobRequest(kind="thread", threads=[thread.pk], format="png")
    )[0]

    job, _ = jobs.job_create(
        user=alice,
        request=jobs.JobRequest(kind="thread", threads=[thread.pk], format="png", preset=preset.pk),
    )
    for made in (job, inter):
        jobs.job_run(job_id=made.pk)
        made.refresh_from_db()

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.style["text"]["font"] == FAMILY
    [warning] = job.warnings
    assert warning["code"] == "font_missing"
    assert FAMILY in warning["message"]
    assert "Inter" in warning["message"]
    with default_storage.open(job.result.name) as drawn, default_storage.open(inter.result.name) as plain:
        assert drawn.read() == plain.read()


# --- Previews -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_preview_draws_the_logo_and_the_custom_font(as_alice, alice, thread):
    body = {"thread": thread.pk, "kind": "carousel", "page": 2}
    plain = as_alice.post(PREVIEW, {**body, "style": {"canvas": {"size": "square"}}}, format="json")
    add_font(alice)
    brand_image_set(owner=alice, which="logo", upload=logo_file())
    style = {"canvas": {"size": "square"}, "text": {"font": FAMILY}, "logo": {"corner": "bottom-right"}}

    branded = as_alice.post(PREVIEW, {**body, "style": style}, format="json")
    logo_only = as_alice.post(PREVIEW, {**body, "style": {**style, "text": {"font": "Inter"}}}, format="json")

    assert branded.status_code == logo_only.status_code == 200
    pixels = image_of(branded.content)
    assert pixels.shape[:2] == (1080, 1080)
    # 200 × 100 logo, 48 CSS px high at 2×: 192 × 96 in the card's bottom-right corner.
    assert green_share(branded.content) * 1080 * 1080 == pytest.approx(192 * 96, rel=0.05)
    corner = pixels[1080 // 2 :, 1080 // 2 :]
    assert numpy.all(corner == GREEN, axis=2).sum() == pytest.approx(192 * 96, rel=0.05)
    assert green_share(plain.content) == 0
    assert branded.content != logo_only.content, "the custom font changes the text"


@pytest.mark.django_db
def test_the_preview_etag_changes_with_the_logo_and_the_font(as_alice, alice, thread):
    add_font(alice)
    brand_image_set(owner=alice, which="logo", upload=logo_file())
    style = {"text": {"font": FAMILY}, "logo": {"corner": "top-left"}}
    body = {"thread": thread.pk, "kind": "cards", "page": 1, "style": style}

    first = as_alice.post(PREVIEW, body, format="json")
    same = as_alice.post(PREVIEW, body, format="json", HTTP_IF_NONE_MATCH=first["ETag"])
    brand_image_set(owner=alice, which="logo", upload=logo_file((200, 30, 30)))
    new_logo = as_alice.post(PREVIEW, body, format="json", HTTP_IF_NONE_MATCH=first["ETag"])
    font_delete(font=alice.fonts.get())
    add_font(alice, cff=True)  # the same family name, another file
    new_font = as_alice.post(PREVIEW, body, format="json", HTTP_IF_NONE_MATCH=new_logo["ETag"])
    brand_image_remove(owner=alice, which="logo")
    no_logo = as_alice.post(PREVIEW, body, format="json", HTTP_IF_NONE_MATCH=new_font["ETag"])

    assert same.status_code == 304
    assert new_logo.status_code == new_font.status_code == no_logo.status_code == 200
    assert len({first["ETag"], new_logo["ETag"], new_font["ETag"], no_logo["ETag"]}) == 4
    assert green_share(first.content) > 0
    assert green_share(new_logo.content) == 0
    assert numpy.all(image_of(new_logo.content) == (200, 30, 30), axis=2).sum() > 1000, "the new logo drawn"


# --- Exports ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_logo_makes_a_new_export(alice, thread, settings, sent):
    settings.JOB_DEDUPE_SECONDS = 600
    brand_image_set(owner=alice, which="logo", upload=logo_file())
    request = jobs.JobRequest(
        kind="carousel", threads=[thread.pk], format="zip", style={"logo": {"corner": "top-right"}}
    )
    plain_request = jobs.JobRequest(kind="carousel", threads=[thread.pk], format="zip")

    def fingerprint(asked: jobs.JobRequest) -> str:
        return dedupe.content_fingerprint(user=alice, checked=jobs.checked_request(user=alice, request=asked))

    first, plain = fingerprint(request), fingerprint(plain_request)
    job, _ = jobs.job_create(user=alice, request=request)
    again, outcome = jobs.job_create(user=alice, request=request)
    brand_image_set(owner=alice, which="logo", upload=logo_file((200, 30, 30)))
    renewed, renewed_outcome = jobs.job_create(user=alice, request=request)
    unchanged_plain = fingerprint(plain_request)

    assert (again.pk, outcome) == (job.pk, jobs.JobOutcome.REUSED)
    assert renewed_outcome == jobs.JobOutcome.CREATED
    assert renewed.pk != job.pk
    assert fingerprint(request) != first
    assert unchanged_plain == plain, "a style without a logo does not depend on the kit's logo"


@pytest.mark.django_db
def test_a_new_font_file_makes_a_new_export(alice, thread, sent):
    add_font(alice)
    request = jobs.JobRequest(
        kind="thread", threads=[thread.pk], format="png", style={"text": {"font": FAMILY}}
    )

    def fingerprint() -> str:
        return dedupe.content_fingerprint(
            user=alice, checked=jobs.checked_request(user=alice, request=request)
        )

    first = fingerprint()
    font_delete(font=alice.fonts.get())
    add_font(alice, cff=True)

    assert fingerprint() != first


@pytest.mark.django_db(transaction=True)
def test_a_job_on_a_real_worker_draws_the_custom_font_and_the_logo(cluster, alice):
    thread = thread_with_posts(alice, "Hello World from the worker, with שלום and 👋.", title="Worker brand")
    add_font(alice)
    brand_image_set(owner=alice, which="logo", upload=logo_file())
    cluster()
    style = {
        "canvas": {"size": "square"},
        "text": {"font": FAMILY},
        "logo": {"corner": "top-left", "size": 48},
    }
    branded, _ = jobs.job_create(
        user=alice, request=jobs.JobRequest(kind="carousel", threads=[thread.pk], format="zip", style=style)
    )
    inter, _ = jobs.job_create(
        user=alice,
        request=jobs.JobRequest(
            kind="carousel", threads=[thread.pk], format="zip", style={**style, "text": {"font": "Inter"}}
        ),
    )

    wait_for(
        lambda: all(Job.objects.get(pk=job.pk).is_finished for job in (branded, inter)),
        what="both exports to finish",
    )

    slides = {}
    for job in (branded, inter):
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error
        with default_storage.open(job.result.name) as stored, zipfile.ZipFile(stored) as archive:
            slides[job.pk] = [
                archive.read(name) for name in sorted(archive.namelist()) if name.endswith(".png")
            ]
    assert len(slides[branded.pk]) == 3
    for slide in slides[branded.pk]:
        pixels = image_of(slide)
        assert numpy.all(pixels[: 1080 // 2, : 1080 // 2] == GREEN, axis=2).sum() == pytest.approx(
            192 * 96, rel=0.05
        ), "the logo in the top-left corner of every slide"
    assert slides[branded.pk][1] != slides[inter.pk][1], "the post drawn in the custom font"


@pytest.mark.django_db
def test_the_api_answers_a_font_missing_warning(alice, thread, sent):
    api = APIClient()
    api.force_authenticate(alice)
    font = add_font(alice)
    preset = preset_create(owner=alice, name="Branded", style={"text": {"font": FAMILY}})
    font_delete(font=font)

    answer = api.post(
        JOBS, {"kind": "thread", "thread": thread.pk, "format": "png", "preset": preset.pk}, format="json"
    )

    assert answer.status_code == 202, answer.content
    [warning] = answer.json()["warnings"]
    assert warning["code"] == "font_missing"
    assert warning["font"] == FAMILY
