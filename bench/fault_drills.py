"""Fault drills: prints a table; not a test. (CI runs one trial of each in
tests/rendering/test_jobs_worker.py and tests/rendering/test_jobs_faults.py.)

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/fault_drills.py [--trials 10] [--only kill]

Every drill runs the real system on loopback: Celery workers in their own
process groups, PostgreSQL, Redis, and gunicorn for the API drill. Each
fault is repeated `--trials` times; then every accepted job is checked:
succeeded with exactly one stored file (ZIPs without repeated entries),
failed with a reason, lost (never ended, or failed silently) or duplicated.
The storage drill mounts a small tmpfs and needs root.
"""

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="fault-drills-"))
QUEUE = f"drills-{uuid.uuid4().hex[:8]}"
PORT = 8032
os.environ.update(
    DATA_DIR=str(WORK),
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    DJANGO_SETTINGS_MODULE="config.settings",
    JOB_STALE_AFTER="3",
    JOB_REQUEUE_AFTER="3",
    JOB_RECONCILE_EVERY="1",
    JOB_DEDUPE_SECONDS="0",  # the drills post identical jobs and mean new ones
)
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the drills run the real system.")

import django

django.setup()

import redis
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from accounts.models import MonthlyUsage, User
from accounts.services import email_verify, token_create
from rendering import jobs
from rendering.jobs import dispatch as dispatching
from rendering.models import Job
from tests.factories import unlimited_plan
from tests.workers import Worker
from threads.models import Post, Thread

TEXT = "Post {n}: a few sentences about the subject of the thread, long enough to take some lines of a slide."
CRASH = "[crash]"


@dataclass
class Tally:
    fault: str
    trials: int = 0
    accepted: list[int] = field(default_factory=list)
    answers: collections.Counter[int] = field(default_factory=collections.Counter)


def make_user() -> User:
    plan = unlimited_plan("drills")
    return User.objects.create_user(f"drills-{uuid.uuid4().hex[:8]}@example.com", None, plan=plan)


def make_thread(user: User, posts: int = 12, title: str = "Drill") -> int:
    thread = Thread.objects.create(owner=user, title=title, author_name="Drills", handle="drills")
    Post.objects.bulk_create(
        [Post(thread=thread, position=n, text=TEXT.format(n=n)) for n in range(1, posts + 1)]
    )
    return thread.pk


def create(user: User, **request: object) -> int:
    job, _ = jobs.job_create(user=user, request=jobs.JobRequest(**request))  # type: ignore[arg-type]
    return job.pk


def worker(**env: str) -> Worker:
    return Worker({**os.environ, **env}, WORK / "workers.log")


def wait(condition: Callable[[], bool], timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def finished(ids: list[int]) -> Callable[[], bool]:
    return lambda: not Job.objects.filter(pk__in=ids, status__in=Job.ACTIVE).exists()


def under_way(job_id: int) -> Callable[[], bool]:
    """Running with some pages done (or already over: then the fault came late)."""
    return lambda: (
        Job.objects.filter(pk=job_id).exclude(status="running", done=0).exclude(status="queued").exists()
    )


def kill_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


# --- The drills: each runs one trial and returns the ids of the jobs it got accepted --


def stop_mid_bulk(user: User, sig: signal.Signals, fmt: str) -> list[int]:
    ids = [create(user, kind="bulk", threads=[make_thread(user) for _ in range(4)], format=fmt)]
    first = worker()
    wait(under_way(ids[0]))
    first.stop(sig)
    second = worker()
    wait(finished(ids))
    second.stop()
    return ids


def drill_kill(user: User) -> list[int]:
    """SIGKILL the worker's whole process group in the middle of a bulk export."""
    return stop_mid_bulk(user, signal.SIGKILL, "png")


def drill_flush(user: User) -> list[int]:
    """Redis loses every queued message (FLUSHDB) before a worker takes them."""
    thread = make_thread(user, posts=3)
    ids = [create(user, kind="cards", threads=[thread], format="png") for _ in range(3)]
    time.sleep(0.3)
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    pool = worker()
    wait(finished(ids))
    pool.stop()
    return ids


def drill_unsent(user: User) -> list[int]:
    """The web process dies between committing a job and sending its message."""

    def never_sent(job: Job) -> None:
        return None

    send, dispatching.send = dispatching.send, never_sent
    try:
        ids = [create(user, kind="thread", threads=[make_thread(user, posts=3)], format="png")]
    finally:
        dispatching.send = send
    pool = worker()
    wait(finished(ids))
    pool.stop()
    return ids


def drill_poison(user: User) -> list[int]:
    """A job that kills its worker process every time it runs, beside a good one."""
    bad = create(
        user, kind="cards", threads=[make_thread(user, posts=2, title=f"{CRASH} poison")], format="png"
    )
    good = create(user, kind="cards", threads=[make_thread(user, posts=2)], format="png")
    pool = worker(FAULT_DRILLS=f"crash:{CRASH}")
    wait(finished([bad, good]), timeout=180)
    pool.stop()
    return [bad, good]


def drill_sigterm(user: User) -> list[int]:
    """SIGTERM (a deploy) while a bulk export runs: a warm shutdown, then a new worker."""
    return stop_mid_bulk(user, signal.SIGTERM, "jpeg")


POOL: list[Worker] = []


def shared_worker() -> None:
    if not POOL or POOL[0].process.poll() is not None:
        POOL[:] = [worker()]


def drill_pg_task(user: User) -> list[int]:
    """pg_terminate_backend on every connection while a carousel renders."""
    shared_worker()
    ids = [create(user, kind="carousel", threads=[make_thread(user, posts=80)], format="zip", scale=2)]
    wait(under_way(ids[0]))
    kill_connections()
    wait(finished(ids))
    return ids


def drill_pg_api(user: User, tally: Tally) -> list[int]:
    """pg_terminate_backend every 100 ms while 8 API clients list, read and export."""
    shared_worker()
    email_verify(user=user)  # tokens need a verified address
    token = token_create(user=user, name="drills")[1]
    thread = make_thread(user, posts=4)
    accepted: list[int] = []
    stop = threading.Event()

    def client() -> None:
        for number in range(30):
            if number % 3 == 2:
                body = json.dumps({"kind": "thread", "thread": thread, "format": "png"}).encode()
                status, answer = call("POST", "/api/v1/jobs/", token, body)
                if status == 202:
                    accepted.append(answer["id"])
            else:
                status, _ = call("GET", "/api/v1/threads/" + (f"{thread}/" if number % 2 else ""), token)
            tally.answers[status] += 1

    def killer() -> None:
        while not stop.is_set():
            kill_connections()
            time.sleep(0.1)

    clients = [threading.Thread(target=client) for _ in range(8)]
    chaos = threading.Thread(target=killer)
    chaos.start()
    for each in clients:
        each.start()
    for each in clients:
        each.join()
    stop.set()
    chaos.join()
    connection.close()
    wait(finished(accepted))
    return accepted


def call(method: str, path: str, token: str, body: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        method=method,
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}


def drill_storage(user: User, full: Path) -> list[int]:
    """The media filesystem (a 256 KiB tmpfs, nearly full) fills up during an export."""
    for each in POOL:  # only the worker on the full filesystem may take the job
        each.stop()
    before = MonthlyUsage.objects.filter(user=user).values_list("exports", flat=True).first() or 0
    ids = [create(user, kind="carousel", threads=[make_thread(user)], format="zip")]
    pool = worker(DATA_DIR=str(full.parent))
    wait(finished(ids))
    pool.stop()
    left = [str(path) for path in full.rglob("*") if path.is_file() and path.name != "filler"]
    used = MonthlyUsage.objects.filter(user=user).values_list("exports", flat=True).first() or 0
    if left or used != before:
        print(f"  storage drill: files left {left}, exports used {used - before}")
        Job.objects.filter(pk__in=ids).update(error="")  # counted as lost: not cleaned up
    return ids


def mount_full_storage() -> Path | None:
    media = WORK / "full" / "media"
    media.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(media)], check=False)
    if mounted.returncode != 0:
        return None
    (media / "filler").write_bytes(b"\0" * (160 * 1024))
    return media


# --- Checking and printing ----------------------------------------------------------


def outcome(job: Job) -> str:
    if job.status in Job.ACTIVE or (job.status == Job.Status.FAILED and not job.error):
        return "lost"
    if job.status != Job.Status.SUCCEEDED:
        return "failed"
    folder = f"exports/{job.pk}"
    stored = default_storage.listdir(folder)[1] if default_storage.exists(folder) else []
    if len(stored) != 1:
        return "duplicated"
    if job.result_name.endswith(".zip"):
        with default_storage.open(str(job.result.name)) as file:
            names = zipfile.ZipFile(file).namelist()
        if len(names) != len(set(names)):
            return "duplicated"
    return "succeeded"


def report(tallies: list[Tally]) -> None:
    print(
        f"{'fault':44} {'trials':>6} {'accepted':>8} {'succeeded':>9} {'failed (reason)':>15} "
        f"{'lost':>4} {'duplicated':>10}"
    )
    for tally in tallies:
        counts = collections.Counter(outcome(job) for job in Job.objects.filter(pk__in=tally.accepted))
        counts["lost"] += len(set(tally.accepted)) - sum(counts.values())  # rows gone
        print(
            f"{tally.fault:44} {tally.trials:>6} {len(tally.accepted):>8} {counts['succeeded']:>9} "
            f"{counts['failed']:>15} {counts['lost']:>4} {counts['duplicated']:>10}"
        )
    for tally in tallies:
        if tally.answers:
            answers = ", ".join(f"{count} × {status}" for status, count in sorted(tally.answers.items()))
            print(f"API answers during '{tally.fault}': {answers}")


DRILLS = {
    "kill": "worker SIGKILLed mid bulk export",
    "flush": "Redis FLUSHDB with jobs queued",
    "unsent": "message never sent after commit",
    "poison": "job crashes its worker every time",
    "sigterm": "worker SIGTERMed mid bulk export",
    "pg-task": "PostgreSQL connections killed mid task",
    "pg-api": "PostgreSQL connections killed under API load",
    "storage": "storage full during an export",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--only", choices=list(DRILLS), action="append")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    chosen = options.only or list(DRILLS)
    web = None
    if "pg-api" in chosen:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application",
             "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
            cwd=ROOT, env=os.environ.copy(), stdout=(WORK / "web.log").open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    full = mount_full_storage() if "storage" in chosen else None
    tallies = []
    try:
        for name in chosen:
            tally = Tally(DRILLS[name])
            if name == "storage" and full is None:
                print("storage drill skipped: mounting a tmpfs needs root")
                continue
            started = time.monotonic()
            for _ in range(options.trials):
                user = make_user()
                if name == "pg-api":
                    tally.accepted += drill_pg_api(user, tally)
                elif name == "storage":
                    tally.accepted += drill_storage(user, full)  # type: ignore[arg-type]
                else:
                    tally.accepted += globals()[f"drill_{name.replace('-', '_')}"](user)
                tally.trials += 1
            print(f"{tally.fault}: {time.monotonic() - started:.0f} s", flush=True)
            tallies.append(tally)
    finally:
        for each in POOL:
            each.stop()
        if web:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait()
        if full is not None:
            subprocess.run(["umount", "-l", str(full)], check=False)
    print()
    report(tallies)
    print(f"logs: {WORK}")


if __name__ == "__main__":
    main()
