"""What the job benches share, imported after django.setup(): workers on
the bench's own queue, waiting for a job, a bulk export of generated
threads."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from accounts.models import User
from rendering import jobs
from rendering.models import Job
from threads.models import Post, Thread

ROOT = Path(__file__).resolve().parents[1]
POST = (
    "Post {n} of thread {t}: a few sentences about the subject, long enough to fill some lines on the slide."
)
POSTS_PER_THREAD = 8  # with a cover and an end slide: 10 carousel slides a thread


def start_workers(processes: int, queue: str, name: str) -> subprocess.Popen[bytes]:
    """A prefork worker of `processes` on `queue` and its fast queue (Pro's,
    served first), in a session of its own."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
        "--concurrency", str(processes), "--loglevel", "warning",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h",
    ]  # fmt: skip
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue}  # config/settings.py declares both
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_finished(job_id: int, timeout: float = 600) -> Job:
    deadline = time.monotonic() + timeout
    finished = Job.objects.filter(pk=job_id).exclude(status__in=Job.ACTIVE)
    while time.monotonic() < deadline:
        if finished.exists():
            return Job.objects.get(pk=job_id)
        # A light, slow poll: the bench shares the cores with the workers (a
        # poll costs about 1 ms of CPU), and a run is timed by the job's own
        # timestamps, not by when the poll sees it end.
        time.sleep(0.2)
    raise SystemExit(f"job {job_id} did not finish in {timeout} s")


def make_threads(user: User, count: int) -> list[int]:
    ids = []
    for t in range(1, count + 1):
        thread = Thread.objects.create(
            owner=user, title=f"Bench thread {t}", author_name="Bench", handle="bench"
        )
        Post.objects.bulk_create(
            [
                Post(thread=thread, position=n, text=POST.format(n=n, t=t))
                for n in range(1, POSTS_PER_THREAD + 1)
            ]
        )
        ids.append(thread.pk)
    return ids


def bulk_export(user: User, thread_ids: list[int]) -> tuple[Job, float]:
    """One bulk export of the threads as PNG carousels, waited for: the
    finished job and its wall time, from its creation to its end by its
    own timestamps (not by the poll, which is 0.2 s apart). The machine's
    dirty pages are written first, so that the writeback of what ran
    before (the threads made, an earlier export) does not fall inside."""
    os.sync()
    job, _ = jobs.job_create(
        user=user,
        request=jobs.JobRequest(kind="bulk", threads=thread_ids, format="png", kinds=("carousel",)),
    )
    job = wait_finished(job.pk)
    if job.status != Job.Status.SUCCEEDED or job.finished is None:
        raise SystemExit(f"bulk job failed: {job.error}")
    return job, (job.finished - job.created).total_seconds()


def assembly_seconds(job: Job) -> float:
    return (job.finished - job.assembling).total_seconds() if job.assembling and job.finished else 0.0
