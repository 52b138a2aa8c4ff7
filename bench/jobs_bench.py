"""Job system benchmark: prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… [AMQP_URL=amqp://…] \
        .venv/bin/python bench/jobs_bench.py [--broker redis|amqp] [--threads 100] [--flood 500] [--runs 3]

A bulk export of 1,000 portrait slides (100 threads of 8 posts: cover, 8
posts and an end slide each) through 1 and then 2 real worker processes,
`--runs` times in turn: wall time, slides a second, scaling efficiency,
the workers' peak memory.
Then the time from creating a job to a worker taking it: with idle
workers; for Pro jobs while `--flood` free jobs of 100 users are queued;
and for one free user's job while another free user has `--flood` jobs
waiting. Everything runs in throwaway users, plans, media folder and
queues, over Redis or (`--broker amqp`) RabbitMQ.
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
parser = argparse.ArgumentParser()
parser.add_argument("--broker", choices=["redis", "amqp"], default="redis")
parser.add_argument("--threads", type=int, default=100)
parser.add_argument("--latency-jobs", type=int, default=50)
parser.add_argument(
    "--flood", type=int, default=500, help="free jobs queued while Pro jobs are timed (0: skip)"
)
parser.add_argument("--skip-bulk", action="store_true")
parser.add_argument(
    "--runs",
    type=int,
    default=3,
    help="bulk exports on 1 and on 2 processes, alternated: a machine's speed drifts over minutes",
)
options = parser.parse_args()
if options.runs < 1:
    parser.error("--runs: at least 1")
MEDIA = tempfile.mkdtemp(prefix="jobs-bench-")
QUEUE = f"bench-{uuid.uuid4().hex[:8]}"
os.environ.update(
    DATA_DIR=MEDIA,
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    DJANGO_SETTINGS_MODULE="config.settings",
    JOB_DEDUPE_SECONDS="0",  # the bench makes the same export many times over
    BULK_MAX_THREADS=str(max(500, options.threads)),
)
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")
if options.broker == "amqp":
    if not os.environ.get("AMQP_URL"):
        sys.exit("Set AMQP_URL for --broker amqp.")
    os.environ["CELERY_BROKER_URL"] = os.environ["AMQP_URL"]

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.models import Plan, User
from bench.job_parts import assembly_seconds, bulk_export, make_threads, start_workers, wait_finished
from rendering import jobs
from rendering.models import Job
from tests.brokers import delete_queue


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
    """A warm shutdown, as a deploy's: SIGTERM to the worker's main process,
    which lets its pool processes end their tasks (SIGTERM to the whole
    group killed them under a task, and Celery logged a lost worker)."""
    os.kill(worker.pid, 15)
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * share) - 1))]


def spread(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.0f} ms, p99 {percentile(values, 0.99):.0f} ms, max {max(values):.0f} ms"


def bench_plan(base: str) -> Plan:
    """A copy of plan `base` whose limits a bench never reaches."""
    plan = Plan.objects.get(code=base)
    plan.pk = f"bench-{base}-{uuid.uuid4().hex[:8]}"
    plan.max_running_jobs = 100_000
    plan.exports_per_month = 10_000_000
    plan.bulk_max_threads = max(plan.bulk_max_threads, options.threads)
    plan.save(force_insert=True)
    return plan


def free_user(plan: Plan, label: str) -> User:
    return User.objects.create_user(f"{QUEUE}-{label}-{uuid.uuid4().hex[:8]}@example.com", None, plan=plan)


def carousel(user: User, thread_id: int) -> Job:
    job, _ = jobs.job_create(
        user=user, request=jobs.JobRequest(kind="carousel", threads=[thread_id], format="png")
    )
    return job


def queued_free(users: list[User]) -> int:
    return Job.objects.filter(owner__in=users, status=Job.Status.QUEUED).count()


def wait_started(job_id: int, timeout: float = 600) -> float:
    """Created → running of a job, in ms, once a worker has taken it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        started = job.started or job.finished
        if started:
            return (started - job.created).total_seconds() * 1000
        time.sleep(0.01)
    raise SystemExit(f"job {job_id} did not start in {timeout} s")


def wait_drained(users: list[User]) -> None:
    while Job.objects.filter(owner__in=users, status__in=Job.ACTIVE).exists():
        time.sleep(0.2)


def pro_under_flood(pro: User, pro_thread: int, plan: Plan, flood: int) -> tuple[list[float], int]:
    """Pro jobs timed one after another while `flood` free carousels of 100
    users (flood / 100 each, all sent: within each user's share) are queued."""
    users = [free_user(plan, f"flood{n}") for n in range(100)]
    threads = {user.pk: make_threads(user, 1)[0] for user in users}
    worker = start_workers(2, QUEUE, "bench")
    delays: list[float] = []
    try:
        wait_ready(pro, pro_thread)
        for _ in range(flood // len(users)):
            for user in users:
                carousel(user, threads[user.pk])
        fewest = flood
        while (waiting := queued_free(users)) >= flood // 5:
            fewest = min(fewest, waiting)
            job, _ = jobs.job_create(
                user=pro, request=jobs.JobRequest(kind="thread", threads=[pro_thread], format="png")
            )
            delays.append(wait_started(job.pk))
            time.sleep(0.1)
        wait_drained(users)
        return delays, fewest
    finally:
        stop(worker)


def late_user_wait(plan: Plan, backlog: int, samples: int) -> list[float]:
    """One free user queues `backlog` carousels; another free user's job,
    made while they wait, is timed, `samples` times."""
    hog, late = free_user(plan, "hog"), free_user(plan, "late")
    hog_thread, late_thread = make_threads(hog, 1)[0], make_threads(late, 1)[0]
    worker = start_workers(2, QUEUE, "bench")
    delays: list[float] = []
    try:
        wait_ready(late, late_thread)
        for _ in range(backlog):
            carousel(hog, hog_thread)
        while len(delays) < samples and queued_free([hog]) > 0:
            delays.append(wait_started(carousel(late, late_thread).pk))
        wait_drained([hog, late])
        return delays
    finally:
        stop(worker)


def bulk_figures(user: User, thread_ids: list[int]) -> None:
    """The bulk export on one process, then on two, `--runs` times over:
    each pair's scaling, and the median. Pairs run back to back, so that a
    drift of the machine's speed (minutes long here) falls on both halves
    of a pair rather than between a first half and a second."""
    slides = options.threads * 10
    rows: list[tuple[int, float, float, int, float]] = []
    pairs: list[float] = []
    for _ in range(options.runs):
        one, two = bulk_run(user, 1, thread_ids), bulk_run(user, 2, thread_ids)
        rows += [(1, *one), (2, *two)]
        pairs.append(one[0] / two[0] / 2)
    print(
        f"bulk export: {options.threads} threads, {slides} portrait slides, "
        f"PNG in one ZIP ({rows[0][3] / 2**20:.0f} MB), {options.runs} runs on 1 and 2 processes in turn"
    )
    print(f"{'workers':>8} {'wall s':>8} {'slides/s':>9} {'ZIP assembly s':>15} {'peak RSS MB':>12}")
    for processes, wall, rss, _, assembly in rows:
        print(f"{processes:>8} {wall:8.1f} {slides / wall:9.1f} {assembly:15.1f} {rss:12.0f}")
    each = ", ".join(f"{pair:.0%}" for pair in pairs)
    print(f"scaling efficiency 1 → 2 workers: median {statistics.median(pairs):.0%} (runs: {each})")


def main() -> None:
    call_command("migrate", verbosity=0)
    pro, plan = bench_plan("pro"), bench_plan("free")
    user = User.objects.create_user(f"{QUEUE}-pro@example.com", None, plan=pro)
    broker = "RabbitMQ" if options.broker == "amqp" else "Redis"
    try:
        thread_ids = make_threads(user, options.threads)
        if not options.skip_bulk:
            bulk_figures(user, thread_ids)
        delays = latency(user, thread_ids[0], options.latency_jobs)
        print(f"created → running, idle workers ({len(delays)} jobs): {spread(delays)}")
        if options.flood:
            pro_delays, fewest = pro_under_flood(user, thread_ids[0], plan, options.flood)
            print(
                f"created → running, Pro jobs with {options.flood} free carousels queued by 100 users "
                f"(never fewer than {fewest} left; {len(pro_delays)} jobs): {spread(pro_delays)}"
            )
            fair = late_user_wait(plan, options.flood, samples=20)
            print(
                f"created → running, a free user's carousel while another free user has "
                f"{options.flood} queued ({len(fair)} jobs): {spread(fair)}"
            )
            settings.JOB_MESSAGES_PER_USER = 1_000_000  # as before turns: everything sent at once
            unfair = late_user_wait(plan, options.flood, samples=1)
            print(f"  the same without turns (every job sent at once, 1 job): {spread(unfair)}")
        print(f"database: {connection.vendor}, broker: {broker}, machine cores: {os.cpu_count()}")
    finally:
        made = User.objects.filter(email__startswith=f"{QUEUE}-")
        for job in Job.objects.filter(owner__in=made):
            if job.result:
                job.result.delete(save=False)
        made.delete()
        plan.delete()
        pro.delete()
        for name in (QUEUE, QUEUE + settings.FAST_QUEUE_SUFFIX):
            delete_queue(settings.CELERY_BROKER_URL, name)


if __name__ == "__main__":
    main()
