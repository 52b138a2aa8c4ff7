"""Jobs through real Celery workers (their own processes) over Redis, and
over RabbitMQ for those marked BOTH_BROKERS, against
the test PostgreSQL database: every kind and format end to end, and the
faults a deployment meets. Each fault test asserts that every accepted job
ends exactly once, with one result, or fails with a reason."""

import io
import json
import signal
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
import redis
from django.core.files.storage import default_storage
from PIL import Image

from accounts.models import MonthlyUsage, Plan
from rendering import jobs
from rendering.jobs.dispatch import RUN_JOB, message_id
from rendering.models import Job, JobPart
from tests.brokers import BOTH_BROKERS, queued_task_ids
from tests.factories import thread_with_posts
from tests.workers import wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def all_finished(ids: list[int]) -> Callable[[], bool]:
    return lambda: not Job.objects.filter(pk__in=ids, status__in=Job.ACTIVE).exists()


def make_job(user, **request) -> Job:
    job, _ = jobs.job_create(user=user, request=jobs.JobRequest(**request))
    return job


def assert_one_result_each(ids: list[int]) -> None:
    """Succeeded jobs have exactly one stored file; failed ones have none
    and a reason; no stray parts are left."""
    for job in Job.objects.filter(pk__in=ids):
        stored = (
            default_storage.listdir(f"exports/{job.pk}")[1]
            if default_storage.exists(f"exports/{job.pk}")
            else []
        )
        if job.status == Job.Status.SUCCEEDED:
            assert stored == [Path(job.result.name).name], f"job {job.pk}: {stored}"
        else:
            assert job.status == Job.Status.FAILED
            assert job.error
            assert stored == []


def many_posts(user, count: int, title: str):
    texts = [f"Post {n} of {title}. " + "Words that take a line or two to lay out. " * 6 for n in range(1, 9)]
    return [thread_with_posts(user, *texts, title=f"{title} {n}") for n in range(count)]


@BOTH_BROKERS
def test_every_kind_and_format_through_a_worker(cluster, alice):
    thread = thread_with_posts(alice, "First post.", "Second post 🎉 with an emoji.", title="Worker run")
    Plan.objects.filter(code=alice.plan_id).update(max_running_jobs=7)  # all at once
    cluster()
    cases = {
        ("cards", "png"): "zip",
        ("cards", "webp"): "zip",
        ("thread", "jpeg"): "jpg",
        ("thread", "png"): "png",
        ("carousel", "pdf"): "pdf",
        ("carousel", "zip"): "zip",
    }
    made = {case: make_job(alice, kind=case[0], threads=[thread.pk], format=case[1]) for case in cases}
    bulk = make_job(alice, kind="bulk", threads="all", kinds=["cards", "thread", "carousel"], format="png")
    ids = [job.pk for job in [*made.values(), bulk]]

    wait_for(all_finished(ids), what="every job to finish")

    for (kind, fmt), job in made.items():
        job.refresh_from_db()
        assert job.status == "succeeded", (kind, fmt, job.error)
        assert job.result_name.endswith(cases[(kind, fmt)])
        content = default_storage.open(job.result.name).read()
        if fmt == "pdf":
            assert len(pikepdf.open(io.BytesIO(content)).pages) == 4  # cover, 2 posts, end
        elif kind == "thread":
            assert Image.open(io.BytesIO(content)).width == 600
        else:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
            assert len(names) == (2 if kind == "cards" else 4) + 1  # the pages and index.json
            assert names[-1] == "index.json"
    bulk.refresh_from_db()
    archive = zipfile.ZipFile(default_storage.open(bulk.result.name))
    index = json.loads(archive.read("index.json"))
    listed = {file["file"] for thread in index["threads"] for file in thread["files"]}
    assert listed | {"index.json"} == set(archive.namelist())
    assert len(listed) == 2 + 1 + 4
    assert_one_result_each(ids)


@pytest.fixture
def pro_alice(alice):
    alice.plan_id = Plan.PRO
    alice.save()
    return alice


@BOTH_BROKERS
def test_killing_a_worker_mid_bulk_export_loses_nothing_and_doubles_nothing(cluster, pro_alice):
    alice = pro_alice
    many_posts(alice, 8, "Kill")
    first = cluster()
    job = make_job(alice, kind="bulk", threads="all", format="png")
    running = job.parts.filter(status=JobPart.Status.RUNNING)
    # Killed while it holds a part (not between parts, nor while assembling).
    wait_for(
        lambda: Job.objects.get(pk=job.pk).done >= 2 and running.exists(),
        what="some parts to be done and others under way",
    )

    first.stop(signal.SIGKILL)
    held = set(running.values_list("number", flat=True))  # the dead worker can't mark them any more
    cluster()
    wait_for(all_finished([job.pk]), what="the export to finish on the new worker")

    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    archive = zipfile.ZipFile(default_storage.open(job.result.name))
    folders = [thread["folder"] for thread in json.loads(archive.read("index.json"))["threads"]]
    assert len(folders) == len(set(folders)) == 8
    assert len(archive.namelist()) == len(set(archive.namelist()))
    attempts = dict(job.parts.values_list("number", "attempts"))
    print("part attempts", attempts, "held by the killed worker", held)
    assert held, "the worker was killed while it held a part"
    assert attempts == {number: 2 if number in held else 1 for number in attempts}, (
        "the parts the killed worker held ran again, once; the others once"
    )
    assert_one_result_each([job.pk])


@pytest.mark.parametrize("broker", ["amqp"])
def test_rabbitmq_gives_a_killed_workers_job_back_at_once(cluster, alice, broker_url, settings):
    """No visibility timeout: the dead worker's connection closes with it and
    its unacknowledged message is ready again at once, marked redelivered,
    and the next worker takes the running job over without waiting for its
    heartbeat to go stale (the reconciler, told to wait 10 minutes, can't
    be what brings it back)."""
    texts = [f"Post {n}. " + "Words that take a line or two to lay out. " * 8 for n in range(60)]
    thread = thread_with_posts(alice, *texts, title="Killed mid-render")
    first = cluster()
    job = make_job(alice, kind="carousel", threads=[thread.pk], format="pdf")
    wait_for(lambda: Job.objects.get(pk=job.pk).status == "running", what="the render to start")

    first.stop(signal.SIGKILL)
    killed = time.monotonic()
    assert Job.objects.get(pk=job.pk).status == "running", "killed mid-render"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    wait_for(
        lambda: message_id(RUN_JOB, job.pk) in queued_task_ids(broker_url, queue),
        timeout=30,
        what="the message to be back in the queue",
    )
    back = time.monotonic() - killed
    cluster(JOB_STALE_AFTER="600", JOB_REQUEUE_AFTER="600")
    wait_for(all_finished([job.pk]), what="the job to run again on the new worker")
    finished = time.monotonic() - killed

    print(f"message back after {back:.2f} s, job finished {finished:.2f} s after the kill")
    assert back < 5, f"back after {back:.1f} s"
    # Far under the visibility timeout a Redis broker would wait for
    # (CELERY_VISIBILITY_TIMEOUT, 990 s by default).
    assert finished < 30, f"ran again {finished:.1f} s after the kill"
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.attempts == 2
    assert_one_result_each([job.pk])


def test_jobs_queued_when_redis_loses_its_data_are_sent_again(cluster, alice, redis_url, settings):
    thread = thread_with_posts(alice, "A post that waits in a queue.", title="Flushed")
    Plan.objects.filter(code=alice.plan_id).update(max_running_jobs=3)
    ids = [make_job(alice, kind="cards", threads=[thread.pk], format="png").pk for _ in range(3)]
    time.sleep(0.5)  # the messages are in Redis now (sent on commit)

    # Only this test's queue: other tests may be using the same Redis database.
    assert redis.Redis.from_url(redis_url).delete(settings.CELERY_TASK_DEFAULT_QUEUE) == 1
    cluster()
    wait_for(all_finished(ids), what="the reconciler to send the lost jobs again")

    assert set(Job.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"succeeded"}
    assert_one_result_each(ids)


def test_a_job_whose_message_was_never_sent_still_runs(cluster, alice, monkeypatch):
    thread = thread_with_posts(alice, "Committed, then the web process died.", title="Unsent")
    # The crash: commit happened, send did not.
    monkeypatch.setattr("rendering.jobs.dispatch.send", lambda job: None)
    job = make_job(alice, kind="thread", threads=[thread.pk], format="png")
    monkeypatch.undo()

    cluster()
    wait_for(all_finished([job.pk]), what="the reconciler to find the unsent job")

    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.attempts == 1
    assert_one_result_each([job.pk])


def test_a_job_that_kills_its_worker_every_time_fails_after_three_attempts(cluster, alice):
    thread = thread_with_posts(alice, "This one brings the worker down.", title="[crash] every time")
    fine = thread_with_posts(alice, "This one is fine.", title="Fine")
    cluster(FAULT_DRILLS="crash:[crash]")
    bad = make_job(alice, kind="cards", threads=[thread.pk], format="png")
    good = make_job(alice, kind="cards", threads=[fine.pk], format="png")

    wait_for(all_finished([bad.pk, good.pk]), timeout=120, what="the crashing job to be given up")

    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == "failed"
    assert bad.attempts == 3
    assert "stopped its worker 3 times" in bad.error
    assert good.status == "succeeded", "the pool recovers for the next job"
    assert MonthlyUsage.objects.get(user=alice).exports == 1, "the failed job gave its export back"
    assert_one_result_each([bad.pk, good.pk])


@BOTH_BROKERS
def test_sigterm_lets_the_running_job_finish_and_the_rest_wait_for_the_next_worker(cluster, pro_alice):
    alice = pro_alice
    many_posts(alice, 6, "Term")
    worker = cluster()
    job = make_job(alice, kind="bulk", threads="all", format="jpeg")
    wait_for(lambda: Job.objects.get(pk=job.pk).status == "running", what="the export to start")

    worker.stop(signal.SIGTERM)
    assert worker.process.returncode == 0, "a warm shutdown"
    cluster()
    wait_for(all_finished([job.pk]), what="the export to finish")

    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.done == 6
    assert_one_result_each([job.pk])


def test_the_export_command_follows_a_job_and_saves_its_file(cluster, alice, tmp_path):
    from django.core.management import call_command

    thread = thread_with_posts(alice, "Exported from the shell.", title="Shell export")
    cluster()
    out = io.StringIO()

    call_command(
        "export", user="ALICE@example.com", threads=str(thread.pk), kind="carousel", format="pdf",
        out=tmp_path / "out", stdout=out,
    )  # fmt: skip

    saved = tmp_path / "out" / "shell-export-carousel.pdf"
    assert len(pikepdf.open(saved).pages) == 3
    assert "█" * 30 in out.getvalue()
    assert "succeeded" in out.getvalue()
