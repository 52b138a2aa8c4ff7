"""Where a bulk export's time goes beyond the engine: prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… taskset -c 0 .venv/bin/python bench/part_profile.py [--threads 20]

Runs a bulk export's parts in this one process, on one core, as a worker
would (claim, heartbeats, render, ZIP, store, progress, the next part sent),
and times the engine (`renderer.render`) inside them: the rest is the job
system's overhead a slide. Then a second run under cProfile, and its largest
entries. Messages go to a throwaway queue nobody reads, deleted at the end.
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUEUE = f"profile-{uuid.uuid4().hex[:8]}"
os.environ.update(
    DATA_DIR=tempfile.mkdtemp(prefix="part-profile-"),
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    DJANGO_SETTINGS_MODULE="config.settings",
    JOB_DEDUPE_SECONDS="0",
)
# A user's share of the queue as in production (8), unless set: each part's
# end sends the next waiting one, as on a worker.
os.environ.setdefault("JOB_MESSAGES_PER_USER", "8")
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the profile runs the real services.")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Plan, User
from bench.job_parts import POSTS_PER_THREAD, make_threads
from rendering import adapters, jobs
from rendering.engine import renderer
from rendering.models import Job, JobPart
from tests.brokers import delete_queue


class EngineClock:
    """Stands in for `renderer.render` where the job services call it, adding up its time."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.original = renderer.render

    def __call__(self, **arguments: object) -> list[renderer.RenderedFile]:
        started = time.perf_counter()
        try:
            return self.original(**arguments)  # type: ignore[arg-type]
        finally:
            self.seconds += time.perf_counter() - started


def run_parts(job: Job) -> float:
    started = time.perf_counter()
    jobs.bulk_start(job_id=job.pk)
    for part_id in JobPart.objects.filter(job=job).order_by("number").values_list("id", flat=True):
        jobs.part_run(part_id=part_id)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", type=Path, help="also save the profile here (for pstats or snakeviz)")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(f"{QUEUE}@example.com", None, plan=Plan.objects.get(code="pro"))
    try:
        thread_ids = make_threads(user, options.threads)
        adapters.warm_up()
        request = jobs.JobRequest(kind="bulk", threads=thread_ids, format="png", kinds=("carousel",))
        run_parts(jobs.job_create(user=user, request=request)[0])  # warm, as a worker is

        clock = EngineClock()
        renderer.render = clock  # type: ignore[assignment]
        with CaptureQueriesContext(connection) as queries:
            measured = jobs.job_create(user=user, request=request)[0]
            wall = run_parts(measured)
        engine = clock.seconds
        profile = cProfile.Profile()
        profile.enable()
        run_parts(jobs.job_create(user=user, request=request)[0])
        profile.disable()
        renderer.render = clock.original

        slides = options.threads * (POSTS_PER_THREAD + 2)
        rest = wall - engine
        parts = JobPart.objects.filter(job=measured).count()
        print(f"{options.threads} threads in {parts} parts, {slides} portrait PNG slides, one process")
        print(f"  all parts: {wall * 1000 / slides:.1f} ms a slide")
        print(f"  engine (renderer.render): {engine * 1000 / slides:.1f} ms a slide")
        print(f"  the rest: {rest * 1000 / slides:.2f} ms a slide, {rest / engine:.1%} over the engine")
        print(f"  queries: {len(queries) / parts:.1f} a part (the export's start and end included)")
        print(f"\nlargest entries by own time, a second run under cProfile (top {options.top}):")
        pstats.Stats(profile).sort_stats("tottime").print_stats(options.top)
        if options.dump:
            profile.dump_stats(options.dump)
    finally:
        for job in Job.objects.filter(owner=user):
            jobs.storage.remove_part_files(job.pk)
            if job.result:
                job.result.delete(save=False)
        user.delete()
        for name in (QUEUE, QUEUE + settings.FAST_QUEUE_SUFFIX):
            delete_queue(settings.CELERY_BROKER_URL, name)


if __name__ == "__main__":
    main()
