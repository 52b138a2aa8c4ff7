"""The cross-host fault drill: prints a table; not a test. (CI runs one
short trial of each in tests/rendering/test_jobs_crosshost.py.) Root.

    .venv/bin/python bench/crosshost_drill.py [--broker amqp] [--trials 10] [--only partition] [--json out.json]

Five hosts inside this machine, each a network namespace on a bridge
(bench/hosts.py): "services" runs PostgreSQL (a cluster of its own), Redis
(the broker), with `--broker amqp` a RabbitMQ node of its own (then the
broker; Redis stays the cache and result backend), and an S3 server (moto);
two Celery workers and the web (gunicorn) each have a host of their own and
reach the services only over the network. The drill itself, in the root
namespace, makes users and threads and posts jobs through the web's API.
Then, each trial:

- partition: worker 1 loses the broker for `--partition` seconds (every
  packet to and from the broker's port dropped, silently) while it renders;
- latency: worker 2's link to the services gets 200 ms of latency and 5 %
  loss each way for a whole batch (bulk export included);
- db: worker 1 loses PostgreSQL for `--db-cut` seconds in the middle of a
  job.

Some jobs are pinned to the faulted worker (sent to a queue only it
reads) so the fault meets work in progress; the rest go through the API.
After each fault every accepted job is checked as in the fault drills
(succeeded with exactly one stored object and all its pages, failed with a
reason, lost, duplicated), and each worker must answer a ping and finish a
new job pinned to it: the recovery time is from the network's return to
the faulted worker's new job finished."""

import argparse
import atexit
import collections
import contextlib
import json
import os
import shutil
import signal
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hosts import Host, Network, missing_tools, start_postgres, start_rabbitmq, start_redis, start_s3

DRILLS = {
    "partition": "worker 1 partitioned from the broker",
    "latency": "worker 2: 200 ms latency, 5 % loss",
    "db": "worker 1 cut from PostgreSQL mid job",
}
BROKER_PORTS = {"redis": 6379, "amqp": 5672}
PARSER = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
PARSER.add_argument("--broker", choices=list(BROKER_PORTS), default="redis", help="Celery's broker")
PARSER.add_argument("--trials", type=int, default=10)
PARSER.add_argument("--only", choices=list(DRILLS), action="append")
PARSER.add_argument("--partition", type=float, default=60, help="seconds worker 1 loses the broker")
PARSER.add_argument("--db-cut", type=float, default=30, help="seconds worker 1 loses PostgreSQL")
PARSER.add_argument("--json", type=Path, help="also write the figures here")
PARSER.add_argument("--keep-logs", action="store_true", help="keep the hosts' logs (printed path)")
OPTIONS = PARSER.parse_args()
if missing := missing_tools(OPTIONS.broker):
    sys.exit(f"the cross-host drill needs root and {', '.join(missing)}")

NETWORK = Network()
atexit.register(lambda: NETWORK.close(keep_logs=OPTIONS.keep_logs))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # cleans up through atexit
SERVICES = NETWORK.host("services")
BUCKET = f"crosshost-{NETWORK.suffix}"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "crosshost-key", "AWS_SECRET_ACCESS_KEY": "crosshost-secret"}
REDIS_URL = start_redis(SERVICES)
BROKER_URL = start_rabbitmq(SERVICES, NETWORK.folder / "rabbitmq") if OPTIONS.broker == "amqp" else REDIS_URL
os.environ.update(
    DATABASE_URL=start_postgres(SERVICES, NETWORK.folder / "postgres"),
    REDIS_URL=REDIS_URL,
    CELERY_BROKER_URL=BROKER_URL,
    AWS_STORAGE_BUCKET_NAME=BUCKET,
    AWS_S3_ENDPOINT_URL=start_s3(SERVICES),
    AWS_S3_REGION_NAME="us-east-1",
    **CREDENTIALS,
)

from bench import fault_drills as drills  # sets Django up with the services above

shutil.rmtree(drills.WORK, ignore_errors=True)  # its folder is for its own drills
atexit.register(lambda: shutil.rmtree(drills.WORK, ignore_errors=True))

import boto3
import requests
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import User
from accounts.services import email_verify, token_create
from config.celery import app as celery_app
from rendering.jobs import dispatch as dispatching
from rendering.models import Job
from tests.workers import Worker

# The workers' timing, shorter than production's (60 s, 120 s, 15 s) so a
# trial ends in minutes; the faults outlast it, so takeovers happen.
WORKER_ENV = {"JOB_STALE_AFTER": "15", "JOB_REQUEUE_AFTER": "15", "JOB_RECONCILE_EVERY": "2"}
RECOVERY_BOUND = 240  # seconds after the network returns; a worker slower than this is hung
FINISH_BOUND = 900  # seconds for every accepted job to end


@dataclass
class Tally:
    fault: str
    broker: str
    trials: int = 0
    accepted: list[int] = field(default_factory=list)
    recovery: list[float] = field(default_factory=list)  # faulted worker, s after the network returned
    hung: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class Pinned:
    """A worker on its own host, reading the shared queues and one of its own."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.queue = f"{drills.QUEUE}.{host.role}"
        (data := NETWORK.folder / host.role).mkdir()
        env = {**os.environ, **WORKER_ENV, "DATA_DIR": str(data)}
        self.worker = Worker(
            env,
            NETWORK.folder / f"{host.role}-celery.log",
            prefix=host.prefix(),
            queues=[drills.QUEUE + ".fast", drills.QUEUE, self.queue],
        )
        host.processes.append(self.worker.process)  # stopped with the network, whatever happens

    def ran(self, job_id: int) -> bool:
        """Whether this worker received the job's message (its log says so)."""
        mark = f"[{dispatching.message_id(dispatching.RUN_JOB, job_id)}] received"
        return mark in self.worker.log.read_text(errors="replace")


@contextlib.contextmanager
def pinned_to(worker: Pinned) -> Iterator[None]:
    """Jobs made inside go to the worker's own queue."""

    def to_worker(job: Job) -> None:
        task_id = dispatching.message_id(dispatching.RUN_JOB, job.pk)
        celery_app.send_task(dispatching.RUN_JOB, (job.pk,), queue=worker.queue, task_id=task_id)

    send, dispatching.send = dispatching.send, to_worker
    try:
        yield
    finally:
        dispatching.send = send


class Web:
    """gunicorn on its own host; jobs posted with the user's token."""

    def __init__(self, host: Host) -> None:
        self.url = f"http://{host.address}:8000"
        (data := NETWORK.folder / "web").mkdir()
        env = {**os.environ, "ALLOWED_HOSTS": host.address, "DATA_DIR": str(data)}
        host.start(
            sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application",
            "--bind", f"{host.address}:8000", "--workers", "2", env=env,
        )  # fmt: skip
        drills.wait(self.answers, timeout=60)

    def answers(self) -> bool:
        with contextlib.suppress(requests.RequestException):
            return requests.get(f"{self.url}/healthz", timeout=2).status_code < 500
        return False

    def post(self, token: str, **body: int | str | list[int]) -> int | None:
        """A job through the API: its id when accepted (202)."""
        answer = requests.post(
            f"{self.url}/api/v1/jobs/", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        return int(answer.json()["id"]) if answer.status_code == 202 else None


@dataclass
class Trial:
    """What one trial works with: a new user, their token, threads."""

    user: User
    token: str
    web: Web
    accepted: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, web: Web) -> "Trial":
        user = drills.make_user()
        email_verify(user=user)  # tokens need a verified address
        return cls(user, token_create(user=user, name="crosshost")[1], web)

    def post(self, count: int, kind: str, posts: int) -> None:
        """`count` PNG exports of `kind` of new threads of `posts` posts."""
        for _ in range(count):
            thread = drills.make_thread(self.user, posts=posts)
            if (job_id := self.web.post(self.token, kind=kind, thread=thread, format="png")) is not None:
                self.accepted.append(job_id)

    def post_bulk(self, threads: int) -> None:
        ids = [drills.make_thread(self.user, posts=4) for _ in range(threads)]
        if (job_id := self.web.post(self.token, kind="bulk", threads=ids, format="png")) is not None:
            self.accepted.append(job_id)

    def pin(self, worker: Pinned, posts: int, scale: int = 1) -> int:
        """A carousel sent to `worker` alone; returns its id."""
        with pinned_to(worker):
            job_id = drills.create(self.user, kind="carousel", threads=[drills.make_thread(self.user, posts)],
                                   format="png", scale=scale)  # fmt: skip
        self.accepted.append(job_id)
        return job_id


def running_on(worker: Pinned, job_id: int) -> Callable[[], bool]:
    return lambda: worker.ran(job_id) and drills.under_way(job_id)()


def recovered(worker: Pinned, trial: Trial, since: float) -> float | None:
    """Seconds from `since` until `worker` answered a ping and finished a
    new job pinned to it; None if it did not within RECOVERY_BOUND."""
    deadline = since + RECOVERY_BOUND
    ping = celery_app.send_task("rendering.ping", queue=worker.queue)
    with contextlib.suppress(Exception):
        ping.get(timeout=max(1, deadline - time.monotonic()))
    job_id = trial.pin(worker, posts=3)
    done = drills.wait(drills.finished([job_id]), timeout=max(1, deadline - time.monotonic()))
    if not done or not worker.ran(job_id):
        return None
    return time.monotonic() - since


def checked(tally: Tally, trial: Trial, worker: Pinned, since: float) -> None:
    """The trial's end: the faulted worker's recovery, then every job ended."""
    seconds = recovered(worker, trial, since)
    if seconds is None:
        tally.hung += 1
        exited = worker.worker.process.poll()
        why = f" (its worker exited, code {exited}; see its log)" if exited is not None else ""
        print(f"  {worker.host.role} did not finish a new job within {RECOVERY_BOUND} s{why}", flush=True)
    else:
        tally.recovery.append(seconds)
    drills.wait(drills.finished(trial.accepted), timeout=FINISH_BOUND)
    tally.accepted += trial.accepted
    tally.trials += 1


def drill_partition(tally: Tally, web: Web, first: Pinned, other: Pinned) -> None:
    trial = Trial.start(web)
    pinned = [trial.pin(first, posts=80, scale=2) for _ in range(2)]
    trial.post(4, kind="carousel", posts=12)
    drills.wait(lambda: all(running_on(first, job_id)() for job_id in pinned), timeout=120)
    with first.host.cut(SERVICES, BROKER_PORTS[OPTIONS.broker]):
        time.sleep(3)
        trial.post(4, kind="thread", posts=6)  # accepted meanwhile, run by worker 2
        time.sleep(max(0.0, OPTIONS.partition - 3))
    checked(tally, trial, first, time.monotonic())


def drill_latency(tally: Tally, web: Web, other: Pinned, second: Pinned) -> None:
    trial = Trial.start(web)
    with second.host.degraded(SERVICES, delay=0.2, loss=0.05):
        # Small files: at 5 % loss and 200 ms a TCP stream moves some 40 KB/s.
        for _ in range(2):
            trial.pin(second, posts=3)
        trial.post(4, kind="thread", posts=4)
        trial.post_bulk(threads=2)
        drills.wait(drills.finished(trial.accepted), timeout=FINISH_BOUND)
    checked(tally, trial, second, time.monotonic())


def drill_db(tally: Tally, web: Web, first: Pinned, other: Pinned) -> None:
    trial = Trial.start(web)
    job_id = trial.pin(first, posts=80, scale=2)
    trial.post(2, kind="carousel", posts=12)
    drills.wait(running_on(first, job_id), timeout=120)
    with first.host.cut(SERVICES, 5432):
        time.sleep(OPTIONS.db_cut)
    checked(tally, trial, first, time.monotonic())


def verdict(job: Job, bucket: Any) -> str:
    """The fault drills' verdict, with the stored objects counted in the
    bucket (a "folder" does not exist on S3), and a succeeded job must
    show all its pages done."""
    if job.status != Job.Status.SUCCEEDED:
        return drills.outcome(job)
    listed = bucket.list_objects_v2(Bucket=BUCKET, Prefix=f"exports/{job.pk}/").get("Contents", [])
    if len(listed) != 1:
        return "duplicated" if listed else "lost"  # lost: succeeded, and no file to download
    if job.result_name.endswith(".zip"):
        with default_storage.open(str(job.result.name)) as file:
            names = zipfile.ZipFile(file).namelist()
        if len(names) != len(set(names)):
            return "duplicated"
    return "succeeded" if job.total and job.done == job.total else "wrong progress"


def count(tally: Tally, bucket: Any) -> None:
    jobs = Job.objects.filter(pk__in=tally.accepted)
    verdicts = {job.pk: verdict(job, bucket) for job in jobs}
    counts = collections.Counter(verdicts.values())
    counts["lost"] += len(set(tally.accepted)) - len(jobs)  # rows gone
    tally.counts = {verdict: number for verdict, number in counts.items() if number}
    for job in jobs:
        if verdicts[job.pk] not in ("succeeded", "failed"):
            print(f"  job {job.pk}: {verdicts[job.pk]} ({job.status}, {job.done}/{job.total}, {job.error!r})")
        elif job.status == "failed":
            print(f"  job {job.pk} failed: {job.error}")


def report(tallies: list[Tally]) -> None:
    print(
        f"{'fault':40} {'broker':>6} {'trials':>6} {'accepted':>8} {'succeeded':>9} {'failed (reason)':>15} "
        f"{'lost':>4} {'duplicated':>10} {'recovery s (median, max)':>25} {'hung':>4}"
    )
    for tally in tallies:
        counts = collections.Counter(tally.counts)
        times = sorted(tally.recovery)
        recovery = f"{times[len(times) // 2]:.1f}, {times[-1]:.1f}" if times else "-"
        print(
            f"{tally.fault:40} {tally.broker:>6} {tally.trials:>6} {len(tally.accepted):>8} {counts['succeeded']:>9} "
            f"{counts['failed']:>15} {counts['lost'] + counts['wrong progress']:>4} "
            f"{counts['duplicated']:>10} {recovery:>25} {tally.hung:>4}"
        )


def main() -> None:
    call_command("migrate", verbosity=0)
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"], region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    web = Web(NETWORK.host("web"))
    first, second = Pinned(NETWORK.host("worker1")), Pinned(NETWORK.host("worker2"))
    tallies = []
    try:
        for name in OPTIONS.only or list(DRILLS):
            tally = Tally(DRILLS[name], OPTIONS.broker)
            started = time.monotonic()
            for _ in range(OPTIONS.trials):
                globals()[f"drill_{name}"](tally, web, first, second)
            count(tally, s3)
            print(f"{tally.fault}: {time.monotonic() - started:.0f} s", flush=True)
            tallies.append(tally)
    finally:
        for each in (first, second):
            each.worker.stop()
    print()
    report(tallies)
    if OPTIONS.json:
        OPTIONS.json.write_text(json.dumps([asdict(tally) for tally in tallies], indent=1))
    if OPTIONS.keep_logs:
        print(f"logs: {NETWORK.folder}")


if __name__ == "__main__":
    main()
