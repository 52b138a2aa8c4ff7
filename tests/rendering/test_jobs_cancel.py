"""Cancelling stops the work, not only the row: a cancelled render stops
before its next page (single jobs, bulk parts; the bulk ZIP's assembly
within ASSEMBLY_CANCEL_EVERY),
its queued messages never take a worker, and another user's job runs
promptly after it (issue 13). In-process for the exact page, then through
real workers for the fairness scenario."""

import os
import re
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from accounts.models import MonthlyUsage, Plan, month_start
from rendering import jobs
from rendering.engine import renderer
from rendering.models import Job, JobPart
from tests.factories import thread_with_posts
from tests.rendering.test_jobs_worker import make_job
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Words that take a line or two of the slide to lay out, so the carousel has pages. " * 3


@pytest.fixture
def pro_alice(alice):
    alice.plan_id = Plan.PRO
    alice.save()
    return alice


def long_thread(user, posts: int, title: str = "Long"):
    return thread_with_posts(user, *[f"{n}. {TEXT}" for n in range(1, posts + 1)], title=title)


def cancel_via_api(user, job_id: int) -> None:
    client = APIClient()
    client.force_authenticate(user)
    assert client.post(f"/api/v1/jobs/{job_id}/cancel/").json()["status"] == "cancelled"


def nothing_stored(job_id: int) -> bool:
    return all(
        not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []
        for folder in (f"exports/{job_id}", f"export-parts/{job_id}")
    )


@pytest.fixture
def cancel_on_page(monkeypatch):
    """Cancel `job` (as its owner would, from another process) while the
    renderer paints page `number`; returns the pages painted."""
    painted: list[int] = []

    def arm(job: Job, number: int) -> list[int]:
        paint = renderer.paint

        def painting(*args, **kwargs):
            painted.append(len(painted) + 1)
            if len(painted) == number:
                jobs.job_cancel(job=Job.objects.get(pk=job.pk))
            return paint(*args, **kwargs)

        monkeypatch.setattr(renderer, "paint", painting)
        return painted

    return arm


def test_a_cancelled_render_stops_before_its_next_page(alice, redis_url, cancel_on_page):
    job = make_job(alice, kind="carousel", threads=[long_thread(alice, 30).pk], format="zip")
    painted = cancel_on_page(job, 3)

    jobs.job_run(job_id=job.pk)  # what the worker runs

    job.refresh_from_db()
    assert painted == [1, 2, 3], "page 3 was under way when the cancel came; no page after it"
    assert job.status == "cancelled"
    assert not job.result
    assert nothing_stored(job.pk)
    assert MonthlyUsage.objects.get(user=alice, month=month_start()).exports == 0


def test_a_cancelled_bulk_part_stops_before_its_next_page(pro_alice, redis_url, cancel_on_page):
    threads = [long_thread(pro_alice, 12, title=f"Bulk {n}").pk for n in range(3)]
    job = make_job(pro_alice, kind="bulk", threads=threads, format="png", kinds=["cards", "carousel"])
    jobs.bulk_start(job_id=job.pk)  # its parts go to a queue no worker reads; they run here
    first, *others = job.parts.order_by("number")
    painted = cancel_on_page(job, 2)

    jobs.part_run(part_id=first.pk)
    for part in others:
        jobs.part_run(part_id=part.pk)

    job.refresh_from_db()
    assert painted == [1, 2], "neither the rest of the part, its other kind, nor the next parts"
    assert job.status == "cancelled"
    assert nothing_stored(job.pk)
    assert MonthlyUsage.objects.get(user=pro_alice, month=month_start()).exports == 0


def test_a_cancelled_assembly_stops_within_moments(pro_alice, redis_url, monkeypatch):
    threads = [long_thread(pro_alice, 2, title=f"Zip {n}").pk for n in range(8)]
    job = make_job(pro_alice, kind="bulk", threads=threads, format="png")
    jobs.bulk_start(job_id=job.pk)
    for part in job.parts.all():
        jobs.part_run(part_id=part.pk)
    assert job.parts.count() == 8
    copied: list[int] = []
    copy = os.copy_file_range
    each = jobs.bulk.ASSEMBLY_CANCEL_EVERY / 2  # a slow disk: a flag read every other part

    def copying(*args, **kwargs):
        copied.append(1)
        if len(copied) == 2:
            jobs.job_cancel(job=Job.objects.get(pk=job.pk))
        time.sleep(each)
        return copy(*args, **kwargs)

    monkeypatch.setattr(os, "copy_file_range", copying)
    jobs.bulk_assemble(job_id=job.pk)

    job.refresh_from_db()
    assert 2 <= len(copied) <= 4, "stopped within ASSEMBLY_CANCEL_EVERY of the cancel, of 8 parts"
    assert job.status == "cancelled"
    assert not job.result
    assert nothing_stored(job.pk)


def test_cancel_revokes_the_messages_still_queued_by_the_ids_they_were_sent_with(pro_alice, monkeypatch):
    sent: list[str] = []
    revoked: list[str] = []
    monkeypatch.setattr(
        jobs.dispatch.celery_app, "send_task", lambda name, args, queue, task_id: sent.append(task_id)
    )
    monkeypatch.setattr(jobs.maintenance.celery_app.control, "revoke", revoked.extend)
    single = make_job(pro_alice, kind="cards", threads=[long_thread(pro_alice, 2).pk], format="png")
    bulk = make_job(
        pro_alice,
        kind="bulk",
        threads=[long_thread(pro_alice, 2, f"B{n}").pk for n in range(3)],
        format="png",
    )
    jobs.bulk_start(job_id=bulk.pk)

    cancel_via_api(pro_alice, single.pk)
    cancel_via_api(pro_alice, bulk.pk)

    parts = [f"rendering.run_part:{pk}" for pk in bulk.parts.values_list("id", flat=True)]
    assert revoked == [
        f"rendering.run_job:{single.pk}",
        f"rendering.start_bulk:{bulk.pk}",
        f"rendering.assemble:{bulk.pk}",
        *parts,
    ]
    assert set(sent) == {f"rendering.run_job:{single.pk}", f"rendering.start_bulk:{bulk.pk}", *parts}


# --- Through real workers ----------------------------------------------------------------


def stopped_at(log: Path, job_id: int) -> tuple[int, int] | None:
    """The page at which the worker says a run of `job_id` stopped, and of how many."""
    found = re.search(rf"job {job_id} stopped at page (\d+) of (\d+)", log.read_text())
    return (int(found[1]), int(found[2])) if found else None


def test_cancelled_renders_free_the_workers_for_another_users_job(cluster, pro_alice, bob, tmp_path):
    alice = pro_alice
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=10)
    long = long_thread(alice, 200)
    small = thread_with_posts(bob, "A small export that should not wait.", title="Small")
    cluster()
    ids = [make_job(alice, kind="carousel", threads=[long.pk], format="zip").pk for _ in range(4)]
    painting = Job.objects.filter(pk__in=ids, status="running", done__gte=2)
    wait_for(lambda: painting.count() == 2, what="two carousels being painted, two waiting")
    running = list(painting.values_list("id", flat=True))

    cancelled = time.monotonic()
    for job_id in ids:
        cancel_via_api(alice, job_id)
    bobs = make_job(bob, kind="thread", threads=[small.pk], format="png")
    wait_for(lambda: Job.objects.get(pk=bobs.pk).is_finished, what="bob's job")
    waited = time.monotonic() - cancelled
    log = tmp_path / "workers.log"
    wait_for(lambda: all(stopped_at(log, job_id) for job_id in running), what="the runs to say they stopped")

    stops = [stopped_at(log, job_id) for job_id in running]
    print(f"bob's job finished {waited:.2f} s after alice cancelled; the runs stopped at {stops}")
    assert Job.objects.get(pk=bobs.pk).status == "succeeded"
    assert waited < 5, "the cancelled renders gave their workers back"
    for job_id in running:
        page, pages = stopped_at(log, job_id)
        assert page < pages, "stopped part way, not at the end"
    assert set(Job.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"cancelled"}
    assert MonthlyUsage.objects.get(user=alice, month=month_start()).exports == 10, "refunded once each"
    assert all(nothing_stored(job_id) for job_id in ids)


def test_a_cancelled_bulk_export_leaves_no_queue_in_front_of_another_users_job(cluster, pro_alice, bob):
    alice = pro_alice
    threads = [thread_with_posts(alice, f"Post of thread {n}.", title=f"Many {n}").pk for n in range(150)]
    small = thread_with_posts(bob, "A small export that should not wait.", title="Small")
    cluster()
    bulk = make_job(alice, kind="bulk", threads=threads, format="png")
    wait_for(lambda: Job.objects.get(pk=bulk.pk).done >= 2, what="the first parts to be done")

    cancelled = time.monotonic()
    cancel_via_api(alice, bulk.pk)
    bobs = make_job(bob, kind="thread", threads=[small.pk], format="png")
    wait_for(lambda: Job.objects.get(pk=bobs.pk).is_finished, what="bob's job")
    waited = time.monotonic() - cancelled

    left = JobPart.objects.filter(job=bulk, status=JobPart.Status.QUEUED).count()
    print(f"bob's job finished {waited:.2f} s after alice cancelled; {left} of 150 parts never ran")
    assert Job.objects.get(pk=bobs.pk).status == "succeeded"
    assert waited < 5, "the cancelled export's queued parts did not hold bob's job up"
    assert Job.objects.get(pk=bulk.pk).status == "cancelled"
    assert nothing_stored(bulk.pk)
    assert MonthlyUsage.objects.get(user=alice, month=month_start()).exports == 0
