"""Job system benchmark: prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/jobs_bench.py [--threads 100]

A bulk export of 1,000 portrait slides (100 threads of 8 posts: cover, 8
posts and an end slide each) through 1 and then 2 real worker processes over
Redis: wall time, slides a second, scaling efficiency, the workers' peak
memory. Then the time from creating a job to a worker taking it, with idle
workers. Everything runs in a throwaway user, media folder and queue.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MEDIA = tempfile.mkdtemp(prefix="jobs-bench-")
QUEUE = f"bench-{uuid.uuid4().hex[:8]}"
os.environ.update(
    DATA_DIR=MEDIA,
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    DJANGO_SETTINGS_MODULE="config.settings",
    JOB_DEDUPE_SECONDS="0",  # the bench makes the same export many times over
)
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from accounts.models import Plan, User
from bench.job_parts import assembly_seconds, bulk_export, make_threads, start_workers, wait_finished
from rendering import jobs
from rendering.models import Job


def wait_ready(user: User, thread_id: int) -> None:
    """One small job through the pool: the workers are up and warm."""
    job, _ = jobs.job_create(
        user=user, request=jobs.JobRequest(kind="thread", threads=[thread_id], format="png")
    )
    wait_finished(job.pk, timeout=120)


def peak_rss_mb(worker: subprocess.Popen[bytes]) -> float:
    """The largest VmHWM among the worker's processes (main and pool)."""
    pids = [str(worker.pid)]
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    if children.exists():
        pids += children.read_text().split()
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            line = next(row for row in status.read_text().splitlines() if row.startswith("VmHWM"))
            peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def stop(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, 15)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, 9)


def bulk_run(user: User, processes: int, thread_ids: list[int]) -> tuple[float, float, int, float]:
    worker = start_workers(processes, QUEUE, "bench")
    try:
        wait_ready(user, thread_ids[0])
        job, wall = bulk_export(user, thread_ids)
        return wall, peak_rss_mb(worker), job.result_size or 0, assembly_seconds(job)
    finally:
        stop(worker)


def latency(user: User, thread_id: int, count: int) -> list[float]:
    worker = start_workers(2, QUEUE, "bench")
    try:
        wait_ready(user, thread_id)
        delays = []
        for _ in range(count):
            job, _ = jobs.job_create(
                user=user, request=jobs.JobRequest(kind="thread", threads=[thread_id], format="png")
            )
            job = wait_finished(job.pk)
            started = job.started or job.finished or job.created
            delays.append((started - job.created).total_seconds() * 1000)
            time.sleep(0.05)  # idle workers for the next one
        return delays
    finally:
        stop(worker)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--latency-jobs", type=int, default=50)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(
        f"bench-{uuid.uuid4().hex[:8]}@example.com", None, plan=Plan.objects.get(code="pro")
    )
    pro = Plan.objects.get(code="pro")
    bulk_max = pro.bulk_max_threads
    Plan.objects.filter(code="pro").update(bulk_max_threads=max(options.threads, bulk_max))
    try:
        thread_ids = make_threads(user, options.threads)
        slides = options.threads * 10
        one_wall, one_rss, size, one_zip = bulk_run(user, 1, thread_ids)
        two_wall, two_rss, _, two_zip = bulk_run(user, 2, thread_ids)
        delays = sorted(latency(user, thread_ids[0], options.latency_jobs))
        efficiency = one_wall / two_wall / 2
        print(
            f"bulk export: {options.threads} threads, {slides} portrait slides, PNG in one ZIP ({size / 2**20:.0f} MB)"
        )
        print(f"{'workers':>8} {'wall s':>8} {'slides/s':>9} {'ZIP assembly s':>15} {'peak RSS MB':>12}")
        print(f"{1:>8} {one_wall:8.1f} {slides / one_wall:9.1f} {one_zip:15.1f} {one_rss:12.0f}")
        print(f"{2:>8} {two_wall:8.1f} {slides / two_wall:9.1f} {two_zip:15.1f} {two_rss:12.0f}")
        print(f"scaling efficiency 1 → 2 workers: {efficiency:.0%}")
        p99 = delays[min(len(delays) - 1, round(len(delays) * 0.99) - 1)]
        print(
            f"created → running, idle workers ({len(delays)} jobs): "
            f"p50 {statistics.median(delays):.1f} ms, p99 {p99:.1f} ms"
        )
        print(f"database: {connection.vendor}, broker: Redis, machine cores: {os.cpu_count()}")
    finally:
        jobs_of_user = Job.objects.filter(owner=user)
        for job in jobs_of_user:
            if job.result:
                job.result.delete(save=False)
        user.delete()
        Plan.objects.filter(code="pro").update(bulk_max_threads=bulk_max)


if __name__ == "__main__":
    main()
