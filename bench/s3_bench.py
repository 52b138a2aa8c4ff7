"""S3 benchmark: prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/s3_bench.py [--threads 100]

A bulk export of 1,000 portrait slides (100 threads of 8 posts: cover, 8
posts and an end slide each) through a real worker whose storage is a real
S3-protocol server (moto in server mode on loopback), configured only
through the README's AWS_* variables: wall time, the ZIP's size, and the
worker's memory (its process tree sampled while it runs, and each
process's high-water mark). Throwaway user, bucket and queue.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUEUE = f"bench-{uuid.uuid4().hex[:8]}"
BUCKET = f"tn-bench-{uuid.uuid4().hex[:8]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(endpoint, timeout=1)
            return server, endpoint
        except requests.ConnectionError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("moto did not answer in 30 s")


if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")
MOTO, ENDPOINT = start_moto()
os.environ.update(
    DATA_DIR=tempfile.mkdtemp(prefix="s3-bench-"),
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    DJANGO_SETTINGS_MODULE="config.settings",
    JOB_DEDUPE_SECONDS="0",
    AWS_STORAGE_BUCKET_NAME=BUCKET,
    AWS_S3_ENDPOINT_URL=ENDPOINT,
    AWS_S3_REGION_NAME="us-east-1",
    AWS_ACCESS_KEY_ID="tn-bench-key",
    AWS_SECRET_ACCESS_KEY="tn-bench-secret",  # noqa: S106 (moto takes any key)
)

import django

django.setup()

from django.core.management import call_command

from accounts.models import Plan, User
from bench.job_parts import assembly_seconds, bulk_export, make_threads, start_workers, wait_finished
from rendering import jobs


def s3() -> Any:
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")


def tree(root: int) -> list[int]:
    """`root` and every process under it."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def status_kb(pid: int, field: str) -> int:
    try:
        rows = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(row.split()[1]) for row in rows if row.startswith(field + ":")), 0)


class Sampler(threading.Thread):
    """The worker tree's summed RSS, sampled every 100 ms; each process's VmHWM."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_tree_kb, self.hwm_kb = root, 0, 0
        self.running = True

    def run(self) -> None:
        while self.running:
            pids = tree(self.root)
            self.peak_tree_kb = max(self.peak_tree_kb, sum(status_kb(pid, "VmRSS") for pid in pids))
            self.hwm_kb = max([self.hwm_kb, *(status_kb(pid, "VmHWM") for pid in pids)])
            time.sleep(0.1)


def export(user: User, thread_ids: list[int], processes: int) -> None:
    worker = start_workers(processes, QUEUE, "s3-bench")
    sampler = Sampler(worker.pid)
    sampler.start()
    try:
        warm, _ = jobs.job_create(
            user=user, request=jobs.JobRequest(kind="thread", threads=thread_ids[:1], format="png")
        )
        wait_finished(warm.pk, timeout=120)
        job, wall = bulk_export(user, thread_ids)
        stored = s3().head_object(Bucket=BUCKET, Key=str(job.result.name))
        assembly = assembly_seconds(job)
        slides = len(thread_ids) * 10
        print(
            f"bulk export onto S3 (moto): {len(thread_ids)} threads, {slides} slides, {processes} processes"
        )
        print(f"  wall {wall:.1f} s ({slides / wall:.1f} slides/s), ZIP assembly {assembly:.1f} s")
        print(f"  ZIP in the bucket: {stored['ContentLength'] / 2**20:.1f} MB")
        print(f"  worker tree peak RSS (sum, sampled): {sampler.peak_tree_kb / 1024:.0f} MB")
        print(f"  largest single-process peak (VmHWM): {sampler.hwm_kb / 1024:.0f} MB")
    finally:
        sampler.running = False
        worker.terminate()  # warm shutdown: the main process stops its pool
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, 9)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    s3().create_bucket(Bucket=BUCKET)
    pro = Plan.objects.get(code="pro")
    bulk_max = pro.bulk_max_threads
    Plan.objects.filter(code="pro").update(bulk_max_threads=max(options.threads, bulk_max))
    user = User.objects.create_user(f"s3-bench-{uuid.uuid4().hex[:8]}@example.com", None, plan=pro)
    try:
        export(user, make_threads(user, options.threads), options.processes)
    finally:
        user.delete()
        Plan.objects.filter(code="pro").update(bulk_max_threads=bulk_max)
        MOTO.terminate()
        MOTO.wait(timeout=10)


if __name__ == "__main__":
    main()
