"""X archive import benchmark: prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/archive_bench.py

Generates an archive in X's format of about 200 MB (10,000 tweets in
tweets.js and tweets-part1.js, threads of 2 to 25 posts among single
posts, 2,000 pictures of random noise so they do not compress away),
uploads it through the API (gunicorn, a token) to one Celery worker process
over Redis and PostgreSQL, and waits for the job. Then it uploads it again
(every thread found unchanged). Prints the wall times and the worker's peak
memory (VmHWM of each of its processes, and the most they held at once
(sampled Pss of them all, every 0.1 s)). Goal: ≤ 60 s and ≤ 300 MB. Everything runs
in a throwaway user, media folder and queue.
"""

import argparse
import contextlib
import datetime
import http.client
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="archive-bench-"))
QUEUE = f"bench-archive-{uuid.uuid4().hex[:8]}"
os.environ.update(
    DATA_DIR=str(WORK),
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    DJANGO_SETTINGS_MODULE="config.settings",
)
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")

import django

django.setup()

import numpy
from django.core.management import call_command
from PIL import Image

from accounts.models import Plan, User
from accounts.services import email_verify, token_create
from bench.site_server import start_gunicorn
from rendering.models import Job
from tests.threads import archive_maker as maker
from threads.models import PostImage, Thread

PORT = 8000 + random.randrange(1000, 2000)  # noqa: S311 - a free port, not a secret
WORDS = [
    "build",
    "cache",
    "release",
    "deploy",
    "review",
    "test",
    "queue",
    "worker",
    "index",
    "schema",
    "metric",
    "page",
    "shard",
    "latency",
    "budget",
    "rollback",
    "feature",
    "flag",
    "bundle",
    "migration",
    "replica",
    "backlog",
    "sprint",
]


def noise_jpeg(rng: numpy.random.Generator, side: int) -> bytes:
    pixels = rng.integers(0, 256, size=(side, side * 4 // 3, 3), dtype=numpy.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=80)
    return out.getvalue()


def sentence(rng: random.Random, n: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
    return f"{n}/ {words.capitalize()} &amp; more: https://t.co/l{n}"


def generate(path: Path, tweets: int, pictures: int) -> tuple[int, int]:
    """Write the archive; returns (threads of 2+ posts, its size in bytes)."""
    rng = random.Random(16)  # noqa: S311 - seeded, for the same archive every run
    pixels = numpy.random.default_rng(16)
    items: list[dict] = []
    threads = 0
    tweet_id = 10**15
    while len(items) < tweets:
        length = min(rng.choice([1, 1, 1, 1, 2, 3, 4, 5, 6, 8, 12, 25]), tweets - len(items))
        threads += length >= 2
        parent = None
        for n in range(1, length + 1):
            tweet_id += 1
            raw = maker.tweet(
                str(tweet_id), sentence(rng, n), minutes=len(items), reply_to=parent,
                urls=[(f"https://t.co/l{n}", f"https://example.org/posts/{tweet_id}?from=archive&n={n}")],
                mention_self=parent is not None,
            )  # fmt: skip
            items.append(raw)
            parent = str(tweet_id)
    # Pictures go on posts of threads, one to four each, until there are enough.
    pictured = [item for item in items if item.get("in_reply_to_status_id_str")]
    rng.shuffle(pictured)
    media: list[tuple[str, int]] = []
    for item in pictured:
        if len(media) >= pictures:
            break
        count = min(rng.randint(1, 4), pictures - len(media))
        entities = [
            maker.photo(item["id_str"], f"P{item['id_str']}x{k}.jpg", f"https://t.co/m{item['id_str']}")
            for k in range(count)
        ]
        item["entities"]["media"] = entities[:1]
        item["extended_entities"] = {"media": entities}
        item["full_text"] += f" https://t.co/m{item['id_str']}"
        media += [(f"{item['id_str']}-P{item['id_str']}x{k}.jpg", 0) for k in range(count)]
    half = len(items) // 2
    archive = maker.Archive(parts=[items[:half], items[half:]], avatar=maker.jpeg(maker.GREEN, (400, 400)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for name, content in archive.entries():
            out.writestr(name, content)
        for name, _ in media:
            # Pictures are stored as they are: JPEG does not deflate.
            out.writestr(zipfile.ZipInfo(f"data/tweets_media/{name}", (2023, 3, 14, 9, 0, 0)),
                         noise_jpeg(pixels, 330), compress_type=zipfile.ZIP_STORED)  # fmt: skip
    return threads, path.stat().st_size


def upload(path: Path, token: str) -> dict:
    """POST the file as multipart, streamed from disk."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    connection.putrequest("POST", "/api/v1/threads/import-archive/")
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    connection.endheaders()
    connection.send(head)
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = json.loads(response.read())
    if response.status != 202:
        sys.exit(f"upload answered {response.status}: {body}")
    return body


def start_worker() -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
        "--concurrency", "1", "--queues", QUEUE, "--loglevel", "warning",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--hostname", f"bench-{uuid.uuid4().hex[:6]}@%h",
    ]  # fmt: skip
    log = (WORK / "worker.log").open("ab")
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)


def worker_pids(worker: subprocess.Popen[bytes]) -> list[str]:
    """The worker, its pool process and the pool's picture cleaners."""
    found, waiting = [], [str(worker.pid)]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        children = Path(f"/proc/{pid}/task/{pid}/children")
        with contextlib.suppress(OSError):
            waiting.extend(children.read_text().split())
    return found


def peak_rss_mb(pids: list[str]) -> dict[str, float]:
    """VmHWM (peak resident memory) of the processes: each one's, by pid."""
    peaks = {}
    for pid in pids:
        with contextlib.suppress(OSError, StopIteration):
            rows = Path(f"/proc/{pid}/status").read_text().splitlines()
            peaks[pid] = int(next(row for row in rows if row.startswith("VmHWM")).split()[1]) / 1024
    return peaks


def pss_mb(pids: list[str]) -> float:
    """The processes' memory at this moment, shared pages split between
    them (Pss of smaps_rollup): what the worker holds at once."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, StopIteration):
            rows = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            total += int(next(row for row in rows if row.startswith("Pss:")).split()[1])
    return total / 1024


def wait_finished(job_id: int, worker: subprocess.Popen[bytes], peaks: dict[str, float]) -> Job:
    while True:
        # Read while they live: the picture cleaners end with the import.
        pids = worker_pids(worker)
        for pid, peak in peak_rss_mb(pids).items():
            peaks[pid] = max(peak, peaks.get(pid, 0))
        peaks["together"] = max(pss_mb(pids), peaks.get("together", 0))
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)


def run(
    path: Path, token: str, worker: subprocess.Popen[bytes], peaks: dict[str, float]
) -> tuple[float, float, Job]:
    started = time.perf_counter()
    job_id = upload(path, token)["id"]
    uploaded = time.perf_counter() - started
    job = wait_finished(job_id, worker, peaks)
    if job.status != Job.Status.SUCCEEDED:
        sys.exit(f"the import {job.status}: {job.error}")
    return uploaded, time.perf_counter() - started, job


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tweets", type=int, default=10_000)
    parser.add_argument("--pictures", type=int, default=2_000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    path = WORK / "twitter-archive.zip"
    made = time.perf_counter()
    threads, size = generate(path, options.tweets, options.pictures)
    print(f"archive: {options.tweets:,} tweets, {threads:,} threads, {options.pictures:,} pictures, "
          f"{size / 2**20:.0f} MB (made in {time.perf_counter() - made:.0f} s)")  # fmt: skip
    user = User.objects.create_user(
        f"bench-{uuid.uuid4().hex[:8]}@example.com", None, plan=Plan.objects.get(code="pro")
    )
    email_verify(user=user)  # tokens need a verified address
    web = start_gunicorn(WORK, PORT)
    worker = start_worker()
    peaks: dict[str, float] = {}
    try:
        _, token = token_create(user=user, name="bench")
        first_upload, first_wall, first = run(path, token, worker, peaks)
        second_upload, second_wall, second = run(path, token, worker, peaks)
        pictures = PostImage.objects.filter(post__thread__owner=user).exclude(file="").count()
        print(f"{'run':<18} {'upload s':>9} {'import s':>9} {'wall s':>8}  result")
        for name, uploaded, wall, job in (("first import", first_upload, first_wall, first),
                                          ("same again", second_upload, second_wall, second)):  # fmt: skip
            result = {
                key: job.outcome[key]
                for key in ("created", "updated", "unchanged", "pictures", "pictures_missing")
            }
            import_s = (job.finished - job.started).total_seconds() if job.started and job.finished else 0
            print(f"{name:<18} {uploaded:9.1f} {import_s:9.1f} {wall:8.1f}  {result}")
        print(
            f"threads saved: {Thread.objects.filter(owner=user).count():,}, pictures attached: {pictures:,}"
        )
        together = peaks.pop("together", 0.0)
        parent, *others = (
            peaks.get(pid, 0.0) for pid in [str(worker.pid), *sorted(set(peaks) - {str(worker.pid)})]
        )
        print(
            f"worker peak RSS (each process's VmHWM): Celery parent {parent:.0f} MB; the process that "
            f"imports and its picture cleaners {' + '.join(f'{peak:.0f}' for peak in others)} "
            f"= {sum(others):.0f} MB; all {sum(peaks.values()):.0f} MB"
        )
        print(
            f"worker memory at its highest, all its processes at once (Pss, shared pages split): {together:.0f} MB"
        )
        print(f"database: PostgreSQL, broker: Redis, machine cores: {os.cpu_count()}, "
              f"at {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    finally:
        stop(worker)
        stop(web)
        for thread in Thread.objects.filter(owner=user):
            for image in PostImage.objects.filter(post__thread=thread).exclude(file=""):
                image.file.delete(save=False)
        user.delete()


if __name__ == "__main__":
    main()
