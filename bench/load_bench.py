"""Load benchmark: prints figures; not a test.

    pip install -r requirements/bench.txt
    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/load_bench.py [--users 32 --seconds 60]

Starts the whole system on loopback — gunicorn (3 workers × 4 threads), a
Celery worker (2 processes) — seeds API users, then runs Locust headless
with the mix in bench/load/locustfile.py and prints req/s and p50/p95/p99
per endpoint with the error count.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="load-bench-"))
QUEUE = f"load-{uuid.uuid4().hex[:8]}"
PORT = 8031
os.environ.update(
    DATA_DIR=str(WORK), CELERY_TASK_DEFAULT_QUEUE=QUEUE, DJANGO_SETTINGS_MODULE="config.settings"
)
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")

import django

django.setup()

from django.core.management import call_command

from accounts.models import Plan, User
from accounts.services import token_create
from threads.models import Post, StylePreset, Thread

TEXT = "Post {n}: a realistic few sentences about the topic of the thread, long enough to wrap over lines."


def seed(users: int) -> list[dict]:
    limits = {
        "exports_per_month": 10**6,
        "max_scale": 3,
        "bulk_max_threads": 500,
        "api_requests_per_minute": 10**6,
    }
    plan, _ = Plan.objects.update_or_create(
        code="load", defaults={"name": "Load", "watermark_forced": True, "shows_ads": False, **limits}
    )
    accounts = []
    for number in range(users):
        user = User.objects.create_user(f"load-{uuid.uuid4().hex[:8]}@example.com", None, plan=plan)
        threads = []
        for t in range(3):
            thread = Thread.objects.create(
                owner=user, title=f"Load {number}-{t}", author_name="Load", handle="load"
            )
            Post.objects.bulk_create(
                [Post(thread=thread, position=n, text=TEXT.format(n=n)) for n in range(1, 9)]
            )
            threads.append(thread.pk)
        preset = StylePreset.objects.create(owner=user, name="Load", style={"version": 1})
        accounts.append(
            {"token": token_create(user=user, name="load")[1], "threads": threads, "preset": preset.pk}
        )
    return accounts


def start(command: list[str]) -> subprocess.Popen[bytes]:
    log = (WORK / f"{command[2]}.log").open("ab")
    return subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log, start_new_session=True
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    accounts_file = WORK / "accounts.json"
    accounts_file.write_text(json.dumps(seed(options.users)))
    python = sys.executable
    web = start([python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
                 "--workers", "3", "--threads", "4", "--worker-class", "gthread"])  # fmt: skip
    worker = start([python, "-m", "celery", "-A", "config", "worker", "--concurrency", "2", "--queues", QUEUE,
                    "--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"])  # fmt: skip
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        subprocess.run(
            [python, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py"), "--headless",
             "-u", str(options.users), "-r", str(options.users), "-t", f"{options.seconds}s",
             "--host", f"http://127.0.0.1:{PORT}", "--csv", str(WORK / "load"), "--only-summary"],
            env={**os.environ, "LOAD_ACCOUNTS": str(accounts_file)}, check=False, capture_output=True,
        )  # fmt: skip
    finally:
        stop(web)
        stop(worker)
    rows = list(csv.DictReader((WORK / "load_stats.csv").open()))
    print(
        f"{options.users} API clients for {options.seconds} s, loopback, gunicorn 3×4 threads, 2 Celery processes"
    )
    print(
        f"{'endpoint':16} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}"
    )
    for row in rows:
        print(
            f"{row['Name']:16} {row['Request Count']:>9} {float(row['Requests/s']):7.1f} {row['50%']:>7} "
            f"{row['95%']:>7} {row['99%']:>7} {row['Failure Count']:>7}"
        )
    print(f"logs and CSV: {WORK}")


if __name__ == "__main__":
    main()
