"""Load benchmark: prints figures; not a test.

    pip install -r requirements/bench.txt
    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/load_bench.py [--soak] [--rounds 3]

Starts the whole system on loopback — gunicorn (3 workers × 4 threads), a
Celery worker (2 processes) — seeds API users, then runs Locust headless
with the mix in bench/load/locustfile.py, in rounds of 60 s, and prints
req/s and exact p50/p95/p99 per endpoint over the rounds pooled, each
round's p99 and the error count. With --soak each round of load is
followed by one with 300 jobs and 5 bulk exports submitted, all checked.
"""

import argparse
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="load-bench-"))
QUEUE = f"load-{uuid.uuid4().hex[:8]}"
PORT = 8031
# JOB_DEDUPE_SECONDS=0: the load posts the same exports again and means new jobs.
os.environ.update(
    DATA_DIR=str(WORK),
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    DJANGO_SETTINGS_MODULE="config.settings",
    JOB_DEDUPE_SECONDS="0",
)
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")

import django

django.setup()

from django.core.management import call_command
from PIL import Image

from accounts.models import User
from accounts.services import email_verify, token_create
from rendering.models import Job
from tests.factories import unlimited_plan
from threads.models import Post, StylePreset, Thread

TEXT = "Post {n}: a realistic few sentences about the topic of the thread, long enough to wrap over lines."


def seed(users: int, thread_count: int = 3) -> list[dict]:
    plan = unlimited_plan("load")
    accounts = []
    for number in range(users):
        user = User.objects.create_user(f"load-{uuid.uuid4().hex[:8]}@example.com", None, plan=plan)
        email_verify(user=user)  # tokens need a verified address
        threads = []
        for t in range(thread_count):
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
    log = (WORK / f"{command[command.index('-m') + 1]}.log").open("ab")
    return subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log, start_new_session=True
    )


def cpu_quota(share: float) -> tuple[list[str], Path]:
    """A cgroup allowing `share` of one core (root; cgroup v1 or v2) and the
    command prefix that starts a process in it. The worker gets at most that
    share even when a core is idle: renders take longer, the API's
    neighbours on the machine stay quiet."""
    period = 100_000
    if Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").exists():
        group = Path(f"/sys/fs/cgroup/cpu/{QUEUE}")
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text(str(period))
        (group / "cpu.cfs_quota_us").write_text(str(int(share * period)))
    elif "cpu" in Path("/sys/fs/cgroup/cgroup.subtree_control").read_text(encoding="utf-8").split():
        group = Path(f"/sys/fs/cgroup/{QUEUE}")
        group.mkdir()
        (group / "cpu.max").write_text(f"{int(share * period)} {period}")
    else:
        sys.exit("--worker-cpu needs root and a cgroup CPU controller")
    return ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$0" "$@"'], group


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


Sample = tuple[str, float, bool]  # endpoint, milliseconds, failed


def locust(options: argparse.Namespace, accounts_file: Path, seconds: int, name: str) -> list[Sample]:
    samples = WORK / f"{name}.json"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py"), "--headless",
         "-u", str(options.users), "-r", str(options.users), "-t", f"{seconds}s",
         "--host", f"http://127.0.0.1:{PORT}", "--only-summary"],
        env={**os.environ, "LOAD_ACCOUNTS": str(accounts_file), "LOAD_SAMPLES": str(samples)},
        check=False, capture_output=True,
    )  # fmt: skip
    return [(endpoint, ms, failed) for endpoint, ms, failed in json.loads(samples.read_text())]


def percentiles(times: list[float]) -> tuple[float, float, float]:
    """Exact p50, p95 and p99 of the recorded times."""
    if len(times) < 2:
        return (times[0],) * 3 if times else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def summarize(rounds: list[list[Sample]], seconds: int) -> dict[str, dict[str, Any]]:
    """Per endpoint (and "all"): the rounds pooled, and each round's p99."""
    names = [*sorted({name for samples in rounds for name, _, _ in samples}), "all"]
    summary = {}
    for name in names:
        picked = [[s for s in samples if name in ("all", s[0])] for samples in rounds]
        times = [ms for samples in picked for _, ms, _ in samples]
        summary[name] = {
            "requests": len(times),
            "rate": len(times) / (seconds * len(rounds)),
            "percentiles": percentiles(times),
            "round_p99": [percentiles([ms for _, ms, _ in samples])[2] for samples in picked],
            "errors": sum(failed for samples in picked for _, _, failed in samples),
        }
    return summary


def print_table(title: str, summary: dict[str, dict[str, Any]]) -> None:
    print(title)
    print(
        f"{'endpoint':14} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'p99 by round':>16} {'errors':>6}"
    )
    for name, row in summary.items():
        p50, p95, p99 = row["percentiles"]
        by_round = "/".join(f"{value:.0f}" for value in row["round_p99"])
        print(
            f"{name:14} {row['requests']:>8} {row['rate']:6.1f} {p50:7.0f} {p95:7.0f} {p99:7.0f}"
            f" {by_round:>16} {row['errors']:>6}"
        )


SOAK_JOBS = 300
SOAK_BULKS = 5
SOAK_THREADS = 20  # threads in each bulk export (carousel and cards for each)


def api(method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def submit_soak(
    token: str, threads: list[int], seconds: int, accepted: list[int], refused: list[str]
) -> None:
    """The 5 bulk exports first, then 300 single jobs spread over the run."""
    for _ in range(SOAK_BULKS):
        status, body = api("POST", "/api/v1/jobs/", token,
                           {"kind": "bulk", "threads": threads, "kinds": ["carousel", "cards"], "format": "png"})  # fmt: skip
        accepted.append(body["id"]) if status == 202 else refused.append(f"{status} {body}")
    mix = [("thread", "png"), ("cards", "png"), ("carousel", "pdf"), ("carousel", "zip"), ("thread", "jpeg")]
    for number in range(SOAK_JOBS):
        kind, fmt = mix[number % len(mix)]
        status, body = api("POST", "/api/v1/jobs/", token,
                           {"kind": kind, "thread": threads[number % len(threads)], "format": fmt})  # fmt: skip
        accepted.append(body["id"]) if status == 202 else refused.append(f"{status} {body}")
        time.sleep(seconds * 0.8 / SOAK_JOBS)


def soak_round(
    options: argparse.Namespace, accounts_file: Path, name: str
) -> tuple[list[Sample], dict[str, int]]:
    """The load again while 300 jobs and 5 bulk exports are submitted; then
    every job is checked once the queue has drained."""
    soaker = seed(1, thread_count=SOAK_THREADS)[0]
    accepted: list[int] = []
    refused: list[str] = []
    submitter = threading.Thread(
        target=submit_soak, args=(soaker["token"], soaker["threads"], options.seconds, accepted, refused)
    )
    submitter.start()
    samples = locust(options, accounts_file, options.seconds, name)
    submitter.join()
    started = time.monotonic()
    while Job.objects.filter(pk__in=accepted, status__in=Job.ACTIVE).exists():
        if time.monotonic() - started > 1800:
            break
        time.sleep(2)
    jobs = {job.pk: job for job in Job.objects.filter(pk__in=accepted)}
    succeeded = [job for job in jobs.values() if job.status == Job.Status.SUCCEEDED]
    failed = [job for job in jobs.values() if job.status != Job.Status.SUCCEEDED]
    for job in failed[:5]:
        print(f"  job {job.pk} {job.kind} {job.status}: {job.error}")
    for reason in refused[:5]:
        print(f"  refused: {reason}")
    complete = sum(bulk_zip_complete(soaker["token"], job) for job in succeeded if job.kind == Job.Kind.BULK)
    return samples, {
        "accepted": len(accepted),
        "refused": len(refused),
        "succeeded": len(succeeded),
        "failed": len(failed),
        "lost": len(accepted) - len(jobs),
        "complete": complete,
        "drained": round(time.monotonic() - started),
    }


def print_soak(
    baseline: dict[str, dict[str, Any]], loaded: dict[str, dict[str, Any]], outcomes: list[dict[str, int]]
) -> None:
    print(f"{'endpoint':14} {'p99 before':>10} {'p99 soak':>9} {'change':>7}")
    for name, row in loaded.items():
        was, now = baseline[name]["percentiles"][2], row["percentiles"][2]
        print(f"{name:14} {was:10.0f} {now:9.0f} {100 * (now - was) / was if was else 0:+6.0f}%")
    for number, outcome in enumerate(outcomes, 1):
        print(
            f"soak round {number}: {outcome['accepted']} accepted ({outcome['refused']} refused), "
            f"{outcome['succeeded']} succeeded, {outcome['failed']} failed, {outcome['lost']} lost; "
            f"{outcome['complete']}/{SOAK_BULKS} bulk ZIPs complete; "
            f"the queue drained {outcome['drained']} s after the load stopped"
        )


def bulk_zip_complete(token: str, job: Job) -> bool:
    """Download the export through its link and check every thread's folder,
    every file the index names and that each opens as an image."""
    _, body = api("GET", f"/api/v1/jobs/{job.pk}/", token)
    url = body["result"]["download_url"]
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    index = json.loads(archive.read("index.json"))
    names = set(archive.namelist())
    files = [entry["file"] for thread in index["threads"] for entry in thread["files"]]
    if len(index["threads"]) != SOAK_THREADS or not files or not set(files) <= names:
        return False
    for name in files:
        Image.open(io.BytesIO(archive.read(name))).verify()
    # each thread: 8 cards and a 10-slide carousel
    return len(files) == SOAK_THREADS * (8 + 10) and len(names) == len(files) + 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warm-up", type=int, default=15, help="seconds of the same mix before measuring")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--worker-cpu", type=float, help="cap the worker at this share of one core (a cgroup quota; root)"
    )
    parser.add_argument("--worker-priority", choices=["idle", "nice", "normal"], default="idle")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds, pooled")
    parser.add_argument(
        "--soak", action="store_true", help="each round again with 300 jobs and 5 bulk exports"
    )
    parser.add_argument(
        "--profile",
        help="write a py-spy profile of the web workers here (.svg: flame graph, .txt: collapsed stacks)",
    )
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    accounts_file = WORK / "accounts.json"
    accounts_file.write_text(json.dumps(seed(options.users)))
    python = sys.executable
    web = start([python, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application",
                 "--bind", f"127.0.0.1:{PORT}", "--workers", str(options.web_workers),
                 "--threads", str(options.threads)])  # fmt: skip
    # The API answers people; renders can wait a moment. On a box shared
    # with the web processes the worker runs under SCHED_IDLE (`chrt --idle`):
    # it gets every cycle the API leaves and gives them up at once when a
    # request comes in. (`--worker-priority nice`: nice 10 instead.)
    priority = {"idle": ["chrt", "--idle", "0"], "nice": ["nice", "-n", "10"], "normal": []}[
        options.worker_priority
    ]
    group = None
    if options.worker_cpu:
        prefix, group = cpu_quota(options.worker_cpu)
        priority = [*prefix, *priority]
    worker = start([*priority, python, "-m", "celery", "-A", "config", "worker",
                    "--concurrency", str(options.worker_concurrency), "--queues", QUEUE, "--loglevel", "warning",
                    "--without-gossip", "--without-mingle", "--without-heartbeat"])  # fmt: skip
    setup = (
        f"{options.users} API clients, {options.rounds} rounds of {options.seconds} s after a {options.warm_up} s warm-up, loopback, "
        f"gunicorn {options.web_workers}×{options.threads} threads, {options.worker_concurrency} Celery processes ({options.worker_priority} priority"
        f"{f', at most {options.worker_cpu} of a core' if options.worker_cpu else ''})"
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        if options.warm_up:
            locust(options, accounts_file, options.warm_up, "warm-up")
        profiler = None
        if options.profile:
            profiler = subprocess.Popen(
                [str(Path(python).parent / "py-spy"), "record", "--pid", str(web.pid), "--subprocesses",
                 "--rate", "200", "--duration", str(options.seconds), "--output", options.profile,
                 "--format", "raw" if options.profile.endswith(".txt") else "flamegraph"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        # Rounds of load alone and load with the soak take turns, so both
        # see the same spells of a noisy machine; the rounds are pooled.
        baseline: list[list[Sample]] = []
        soaked: list[list[Sample]] = []
        outcomes: list[dict[str, int]] = []
        for number in range(1, options.rounds + 1):
            baseline.append(locust(options, accounts_file, options.seconds, f"load-{number}"))
            if profiler:
                profiler.wait(timeout=120)
                profiler = None
            if options.soak:
                samples, outcome = soak_round(options, accounts_file, f"soak-{number}")
                soaked.append(samples)
                outcomes.append(outcome)
        before = summarize(baseline, options.seconds)
        print_table(setup, before)
        if options.soak:
            after = summarize(soaked, options.seconds)
            print_table(f"\nThe same load while {SOAK_JOBS} jobs and {SOAK_BULKS} bulk exports run", after)
            print_soak(before, after, outcomes)
    finally:
        stop(web)
        stop(worker)
        if group:
            group.rmdir()
    print(f"logs and every request's time: {WORK}")


if __name__ == "__main__":
    main()
