"""Identical exports are made and charged once: a second (third…) POST of
the same export answers 200 with the first job while it is queued or
running, or once it succeeded within JOB_DEDUPE_SECONDS; and the quote
endpoint says what an export would cost before it is made. The job
service runs for real, called here where a worker would call it; the last
test runs through a real Celery worker."""

import datetime
import threading
from collections.abc import Callable

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import MonthlyUsage, Plan, month_start
from rendering import jobs
from rendering.models import Job
from tests.conftest import require_service
from tests.factories import png_bytes, thread_with_posts
from tests.workers import wait_for
from threads.models import StylePreset
from threads.services import post_edit_text, post_image_add, thread_set_avatar

JOBS = "/api/v1/jobs/"
QUOTE = "/api/v1/jobs/quote/"


@pytest.fixture(autouse=True)
def dedupe_on(settings, _no_export_dedupe) -> None:
    settings.JOB_DEDUPE_SECONDS = 600  # the default, which the other tests turn off


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """No worker in these tests: messages are recorded, and the test plays
    the worker's part where a job must finish."""
    messages: list[int] = []
    monkeypatch.setattr(
        "rendering.jobs.dispatch.queue", lambda name, object_id, **_: messages.append(object_id)
    )
    return messages


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "First post of the thread.", "Second post.", title="Dedupe")


def export(client: APIClient, body: dict, **headers: str):
    return client.post(JOBS, body, format="json", **headers)


def run(job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    if job.kind == Job.Kind.BULK:
        jobs.bulk_start(job_id=job_id)
        for part in job.parts.all():
            jobs.part_run(part_id=part.pk)
        jobs.bulk_assemble(job_id=job_id)
    else:
        jobs.job_run(job_id=job_id)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def used(user) -> int:
    return (
        MonthlyUsage.objects.filter(user=user, month=month_start()).values_list("exports", flat=True).first()
        or 0
    )


# --- One job for the same export ----------------------------------------------------------


@pytest.mark.django_db
def test_three_identical_exports_make_one_job_and_charge_one_export(as_alice, alice, thread, sent):
    body = {"kind": "carousel", "thread": thread.pk, "format": "pdf", "scale": 2}

    first, second, third = (export(as_alice, body) for _ in range(3))

    assert first.status_code == 202
    assert first.json()["deduplicated"] is False
    assert "X-Deduplicated" not in first
    for again in (second, third):
        assert again.status_code == 200, "a second click while the first is queued is not a new job"
        assert again.json()["deduplicated"] is True
        assert again["X-Deduplicated"] == "true"
        assert again.json()["id"] == first.json()["id"]
        assert "Idempotent-Replayed" not in again
    assert Job.objects.count() == 1
    assert used(alice) == 1

    run(first.json()["id"])
    after = export(as_alice, body)

    assert after.status_code == 200, "a finished identical export is answered again"
    assert after.json()["id"] == first.json()["id"]
    assert after.json()["status"] == "succeeded"
    download = as_alice.get(after.json()["result"]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert Job.objects.count() == 1
    assert used(alice) == 1


@pytest.mark.django_db(transaction=True)
def test_three_identical_exports_at_once_make_one_job(alice, sent):
    """Three ⌘S in quick succession arrive together: the charge holds the
    user's usage row, and the requests behind it find the first one's job."""
    require_service(connection.vendor == "postgresql", "DATABASE_URL (PostgreSQL)")
    thread = thread_with_posts(alice, "One post.", title="At once")
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    start = threading.Barrier(3)
    answers: list[tuple[int, int]] = []

    def press() -> None:
        client = APIClient()
        client.force_authenticate(alice)
        try:
            start.wait()
            response = export(client, body)
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connections.close_all()

    presses = [threading.Thread(target=press) for _ in range(3)]
    for press_thread in presses:
        press_thread.start()
    for press_thread in presses:
        press_thread.join()

    assert sorted(code for code, _ in answers) == [200, 200, 202]
    assert len({job_id for _, job_id in answers}) == 1
    assert Job.objects.count() == 1
    assert sent == [answers[0][1]], "sent to the workers once, after commit"
    assert used(alice) == 1


@pytest.mark.django_db
def test_a_bulk_export_is_deduplicated_too(as_alice, alice, sent):
    for number in range(3):
        thread_with_posts(alice, f"Post of thread {number}.", title=f"Bulk {number}")
    body = {"kind": "bulk", "threads": "all", "kinds": ["cards", "thread"], "format": "png"}

    first = export(as_alice, body)
    run(first.json()["id"])
    again = export(as_alice, body)

    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert used(alice) == 6, "3 threads × 2 kinds, charged once"


@pytest.mark.django_db
def test_a_duplicate_needs_no_export_left_nor_a_free_slot(as_alice, alice, thread, sent):
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    first = export(as_alice, body)
    export(as_alice, {**body, "format": "jpeg"})  # the plan's second slot
    MonthlyUsage.objects.filter(user=alice).update(exports=alice.plan.exports_per_month)

    again = export(as_alice, body)
    other = export(as_alice, {**body, "format": "webp"})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 429


# --- What makes an export new -------------------------------------------------------------


def edit_post(thread, preset) -> dict:
    post_edit_text(post=thread.posts.get(position=2), text="Second post, edited.")
    return {}


def edit_preset(thread, preset) -> dict:
    StylePreset.objects.filter(pk=preset.pk).update(style={"version": 1, "text": {"size": 20}})
    return {}


def add_image(thread, preset) -> dict:
    post_image_add(
        post=thread.posts.get(position=1), upload=SimpleUploadedFile("a.png", png_bytes()), alt="A"
    )
    return {}


def set_avatar(thread, preset) -> dict:
    thread_set_avatar(thread=thread, upload=SimpleUploadedFile("a.png", png_bytes(color="#00ff00")))
    return {}


def retitle(thread, preset) -> dict:
    type(thread).objects.filter(pk=thread.pk).update(title="Another title")
    return {}


def changed(**fields: object) -> Callable[..., dict]:
    return lambda thread, preset: fields


NEW_EXPORTS = {
    "a post's text edited": edit_post,
    "the preset's style edited": edit_preset,
    "an image added": add_image,
    "a new avatar": set_avatar,
    "the title changed": retitle,
    "another format": changed(format="zip"),
    "another scale": changed(scale=2),
    "another kind": changed(kind="cards", format="png"),
    "an inline style": changed(preset=None, style={"version": 1, "card": {"radius": 8}}),
    "an arrangement": changed(carousel={"posts": [2, 1]}),
    "placeholders dropped": changed(placeholders="drop"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", NEW_EXPORTS.values(), ids=NEW_EXPORTS.keys())
def test_a_changed_export_is_a_new_job(as_alice, alice, thread, sent, change):
    preset = StylePreset.objects.create(owner=alice, name="Mine", style={"version": 1})
    body = {"kind": "carousel", "thread": thread.pk, "format": "pdf", "preset": preset.pk}
    first = run(export(as_alice, body).json()["id"])

    changes = change(thread, preset)
    again = export(as_alice, {key: value for key, value in {**body, **changes}.items() if value is not None})

    assert again.status_code == 202, again.json()
    assert again.json()["deduplicated"] is False
    assert again.json()["id"] != first.pk
    assert used(alice) == 2


@pytest.mark.django_db
def test_the_same_look_by_another_route_is_the_same_export(as_alice, alice, thread, sent):
    """A renamed preset, or its style given inline: the same resolved style."""
    preset = StylePreset.objects.create(owner=alice, name="Mine", style={"version": 1, "text": {"size": 20}})
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    first = run(export(as_alice, {**body, "preset": preset.pk}).json()["id"])
    as_alice.patch(f"/api/v1/presets/{preset.pk}/", {"name": "Renamed"}, format="json")

    renamed = export(as_alice, {**body, "preset": preset.pk})
    inline = export(as_alice, {**body, "style": {"version": 1, "text": {"size": 20}}})

    assert (renamed.status_code, inline.status_code) == (200, 200)
    assert renamed.json()["id"] == inline.json()["id"] == first.pk


@pytest.mark.django_db
def test_another_users_identical_export_is_their_own_job(as_alice, alice, bob, thread, sent):
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    alices = run(export(as_alice, body).json()["id"])
    bobs_thread = thread_with_posts(bob, "First post of the thread.", "Second post.", title="Dedupe")
    bobs_client = APIClient()
    bobs_client.force_authenticate(bob)

    bobs = export(bobs_client, {**body, "thread": bobs_thread.pk})
    bobs_quote = bobs_client.post(QUOTE, {**body, "thread": bobs_thread.pk}, format="json").json()

    assert bobs.status_code == 202
    assert bobs.json()["id"] != alices.pk
    assert bobs_quote["reuses"] == bobs.json()["id"]
    assert used(bob) == used(alice) == 1


# --- What is never reused -----------------------------------------------------------------


@pytest.mark.django_db
def test_after_the_window_the_same_export_is_a_new_job(as_alice, alice, thread, sent, settings):
    settings.JOB_DEDUPE_SECONDS = 30
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    first = run(export(as_alice, body).json()["id"])
    Job.objects.filter(pk=first.pk).update(finished=first.finished - datetime.timedelta(seconds=29))
    within = export(as_alice, body)
    Job.objects.filter(pk=first.pk).update(finished=first.finished - datetime.timedelta(seconds=31))

    after = export(as_alice, body)

    assert within.status_code == 200
    assert after.status_code == 202
    assert after.json()["id"] != first.pk
    assert used(alice) == 2


@pytest.mark.django_db
def test_zero_seconds_turns_it_off(as_alice, alice, thread, sent, settings):
    settings.JOB_DEDUPE_SECONDS = 0
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}

    codes = [export(as_alice, body).status_code for _ in range(2)]

    assert codes == [202, 202]
    assert as_alice.post(QUOTE, body, format="json").json()["reuses"] is None
    assert used(alice) == 2


def fail(client, job_id: int) -> None:
    jobs.lease.fail_job(Job.objects.get(pk=job_id), None, "It broke.")


def cancel(client, job_id: int) -> None:
    assert client.post(f"{JOBS}{job_id}/cancel/").status_code == 200


def lose_file(client, job_id: int) -> None:
    job = run(job_id)
    default_storage.delete(job.result.name)


def clean_up(client, job_id: int) -> None:
    run(job_id)
    Job.objects.filter(pk=job_id).update(finished=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert jobs.jobs_clean_up() == 1


ENDINGS = {"failed": fail, "cancelled": cancel, "file gone": lose_file, "cleaned up": clean_up}


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_a_job_without_its_file_is_never_reused(as_alice, alice, thread, sent, settings, ending):
    settings.JOB_DEDUPE_SECONDS = 10**9  # even the clean-up's old job would be in the window
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    first = export(as_alice, body).json()["id"]
    ending(as_alice, first)

    quote = as_alice.post(QUOTE, body, format="json").json()
    again = export(as_alice, body)

    assert quote["reuses"] is None
    assert quote["exports"] == 1
    assert again.status_code == 202
    assert again.json()["id"] != first


# --- Idempotency keys stay as they were ---------------------------------------------------


@pytest.mark.django_db
def test_a_request_with_a_key_is_answered_by_its_key_alone(as_alice, alice, thread, sent):
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    unkeyed = export(as_alice, body)

    keyed = export(as_alice, body, HTTP_IDEMPOTENCY_KEY="k-1")
    replay = export(as_alice, body, HTTP_IDEMPOTENCY_KEY="k-1")
    after = export(as_alice, body)

    assert keyed.status_code == 202, "a new key is a new export"
    assert keyed.json()["id"] != unkeyed.json()["id"]
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (202, "true")
    assert replay.json()["id"] == keyed.json()["id"]
    assert "X-Deduplicated" not in replay
    assert after.status_code == 200, "without a key, the newest identical job answers"
    assert after.json()["id"] == keyed.json()["id"]
    assert used(alice) == 2


# --- Quotes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_quote_for_a_new_export_says_what_it_uses_and_makes_nothing(as_alice, alice, thread, sent):
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=3)

    response = as_alice.post(QUOTE, {"kind": "cards", "thread": thread.pk, "format": "png"}, format="json")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "exports": 1,
        "used": 3,
        "allowed": 50,
        "left": 47,
        "reuses": None,
        "message": "uses 1 of the 47 exports you have left this month",
    }
    assert not Job.objects.exists()
    assert used(alice) == 3
    assert sent == []


@pytest.mark.django_db
def test_a_quote_for_a_duplicate_is_free_and_names_the_job(as_alice, alice, thread, sent):
    body = {"kind": "carousel", "thread": thread.pk, "format": "zip"}
    job_id = export(as_alice, body).json()["id"]

    queued = as_alice.post(QUOTE, body, format="json").json()
    job = run(job_id)
    Job.objects.filter(pk=job_id).update(finished=job.finished - datetime.timedelta(minutes=3, seconds=5))
    finished = as_alice.post(QUOTE, body, format="json").json()

    assert queued["exports"] == 0
    assert queued["reuses"] == job_id
    assert queued["message"] == "already being exported (queued less than a minute ago): free"
    assert finished == {
        "exports": 0,
        "used": 1,
        "allowed": 50,
        "left": 49,
        "reuses": job_id,
        "message": "already exported 3 minutes ago: free",
    }
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_a_quote_for_a_bulk_export_over_the_quota_says_what_it_needs(as_alice, alice, sent):
    for number in range(4):
        thread_with_posts(alice, f"Post {number}.", title=f"Over {number}")
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=45)
    body = {"kind": "bulk", "threads": "all", "kinds": ["cards", "thread", "carousel"], "format": "png"}

    quote = as_alice.post(QUOTE, body, format="json")
    refused = export(as_alice, body)

    assert quote.status_code == 200
    assert quote.json() == {
        "exports": 12,
        "used": 45,
        "allowed": 50,
        "left": 5,
        "reuses": None,
        "message": "would need 12 exports; you have 5 left this month",
    }
    assert refused.status_code == 429, "the quote told the truth"


@pytest.mark.django_db
def test_a_quote_for_the_last_exports_says_so(as_alice, alice, thread, sent):
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=49)
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}

    assert as_alice.post(QUOTE, body, format="json").json()["message"] == "uses your last export this month"
    MonthlyUsage.objects.filter(user=alice).update(exports=50)
    assert as_alice.post(QUOTE, body, format="json").json()["message"] == (
        "would need 1 export; you have none left this month"
    )


BAD_BODIES = {
    "kind": {"kind": "poster", "format": "png"},
    "format": {"kind": "carousel", "format": "gif"},
    "scale": {"kind": "thread", "format": "png", "scale": 3},
    "preset": {"kind": "thread", "format": "png", "preset": 999_999},
    "style": {"kind": "thread", "format": "png", "style": {"version": 1, "text": {"size": 900}}},
    "carousel": {"kind": "carousel", "format": "pdf", "carousel": {"posts": [7]}},
    "placeholders": {"kind": "thread", "format": "png", "placeholders": "hide"},
}


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "body"), BAD_BODIES.items(), ids=BAD_BODIES.keys())
def test_a_bad_quote_is_a_400_naming_the_field_as_creating_the_job_would(as_alice, thread, sent, field, body):
    body = {**body, "thread": thread.pk}

    quote = as_alice.post(QUOTE, body, format="json")
    create = export(as_alice, body)

    assert quote.status_code == create.status_code == 400
    assert quote.json()["message"].startswith(f"{field}"), quote.json()
    assert quote.json() == create.json()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_another_users_thread_cannot_be_quoted(as_alice, bob, sent):
    bobs = thread_with_posts(bob, "Bob's post.")

    response = as_alice.post(QUOTE, {"kind": "thread", "thread": bobs.pk, "format": "png"}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == f"thread: you have no thread {bobs.pk}."


@pytest.mark.django_db
def test_quotes_count_with_the_previews_not_the_plans_requests_a_minute(as_alice, alice, thread, sent):
    """The editor asks for a quote as the design changes: like previews,
    and never at the cost of the requests its exports need."""
    Plan.objects.filter(code=alice.plan_id).update(api_requests_per_minute=2, previews_per_minute=3)
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}

    quotes = [as_alice.post(QUOTE, body, format="json").status_code for _ in range(4)]
    exports = [export(as_alice, body).status_code for _ in range(2)]

    assert quotes == [200, 200, 200, 429]
    assert exports == [202, 200], "the plan's requests a minute were all still there"


def test_quotes_need_a_signed_in_user(api, db):
    assert api.post(QUOTE, {"kind": "thread", "thread": 1, "format": "png"}, format="json").status_code == 401


# --- Through a real worker ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_export_once_and_later_presses_get_its_file(cluster, alice):
    thread = thread_with_posts(alice, "Rendered once.", "By a real worker.", title="Worker dedupe")
    client = APIClient()
    client.force_authenticate(alice)
    body = {"kind": "cards", "thread": thread.pk, "format": "png"}
    cluster()

    presses = [export(client, body) for _ in range(3)]
    job_id = presses[0].json()["id"]
    wait_for(lambda: Job.objects.get(pk=job_id).is_finished, what="the export to finish")
    later = export(client, body)
    quote = client.post(QUOTE, body, format="json").json()

    assert [press.status_code for press in presses] == [202, 200, 200]
    assert {press.json()["id"] for press in presses} == {job_id}
    assert Job.objects.get(pk=job_id).status == Job.Status.SUCCEEDED
    assert (later.status_code, later.json()["id"], later.json()["status"]) == (200, job_id, "succeeded")
    assert (quote["reuses"], quote["exports"]) == (job_id, 0)
    assert client.get(later.json()["result"]["download_url"]).status_code == 200
    assert Job.objects.count() == 1
    assert used(alice) == 1
