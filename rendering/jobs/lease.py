"""Leases on job and part rows: who may work on a row, and write it.

- A run starts by claiming its row (`claim`, through `take`): one
  conditional UPDATE that takes a queued row, or a running one whose
  heartbeat has fallen silent, and writes a new random run token, a fresh
  heartbeat and one more attempt. Exactly one run gets a given token; a
  claim that changed no row means another run has it, or it has ended.
- Only the run holding the token writes the row: every progress write
  (`beat`) and the end (`finish_job` with the token) filter on it and on
  the row still running. A write that changes no row raises Stopped (the
  run was cancelled or taken over), and the run throws its work away. Ends
  without a token (a cancel, a give-up) take any row not yet ended.
- A run beats at most every BEAT_EVERY seconds (`heartbeat`), and at once
  when the job's cancel flag is up (`CancelFlag`), so a cancel stops a
  render before its next page. While it waits on one long call with no
  page to beat between (storing a result: a large ZIP on a slow link can
  take minutes), a thread beats for it (`beating`), or another run would
  take the lease over, and the first, ending second, throw its file away.
- A worker that dies (killed, out of memory, its machine lost) stops
  beating. After JOB_STALE_AFTER seconds (`stale_before`) its lease is
  stale: the reconciler sends the row again and the next claim takes it
  over, counting an attempt. A broker that sees the worker go (RabbitMQ,
  when its connection closes) hands the message out again at once, marked
  redelivered: that claim takes the running row without waiting; past JOB_MAX_ATTEMPTS the row is given up
  instead (`take`). If the dead run's worker comes back, its next write
  finds another token and it stops.
- A run that loses its database connection hands the row back (`release`):
  queued again, its attempt not counted, for the task's retry."""

import contextlib
import datetime
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import redis
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.services import refund_exports
from config.redis_client import redis_client
from rendering.jobs.dispatch import dispatch
from rendering.jobs.outcomes import CONNECTION_ERRORS, Stopped, given_up, too_many_attempts
from rendering.jobs.storage import remove_part_files, remove_source, remove_strays
from rendering.models import Job, JobPart
from rendering.signals import job_finished

logger = logging.getLogger(__name__)

BEAT_EVERY = 0.5  # seconds: live enough for a progress bar, a write per page would load the database


def stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_AFTER)


def claim(model: type[Job] | type[JobPart], pk: int, *, redelivered: bool = False) -> uuid.UUID | None:
    """Take the row for a new run: queued, or running with a silent heartbeat
    (its worker died), or running at all when the broker hands its message
    out again (`redelivered`: the worker that held it is gone). Returns the
    run's token, or None when another run has it or it is finished."""
    token = uuid.uuid4()
    now = timezone.now()
    running = Q(status="running") if redelivered else Q(status="running", heartbeat__lt=stale_before())
    takeable = Q(status="queued") | running
    rows = model.objects.filter(takeable, pk=pk)
    changes: dict[str, Any] = {
        "status": "running",
        "run_token": token,
        "heartbeat": now,
        "attempts": F("attempts") + 1,
    }
    if model is Job:
        changes["started"] = now
    return token if rows.update(**changes) else None


def redelivered(delivery_info: Mapping[str, Any] | None) -> bool:
    """Whether the broker handed a message out again because the worker
    that held it went away (RabbitMQ at once; Redis after its visibility
    timeout, or when a pool process died and Celery gave its message back)."""
    return bool((delivery_info or {}).get("redelivered"))


def take(
    model: type[Job] | type[JobPart],
    row: Job | JobPart,
    give_up: Callable[[str], object],
    *,
    redelivered: bool = False,
) -> uuid.UUID | None:
    """Claim `row` for a new run, or give it up once it has stopped its
    worker too often (a job that crashes its process every time)."""
    if too_many_attempts(row):
        give_up(given_up(row.attempts))
        return None
    return claim(model, row.pk, redelivered=redelivered)


def beat(model: type[Job] | type[JobPart], pk: int, token: uuid.UUID, **changes: Any) -> None:
    """Record progress; stop if the run no longer owns the row."""
    if not model.objects.filter(pk=pk, run_token=token, status="running").update(
        heartbeat=timezone.now(), **changes
    ):
        raise Stopped


class CancelFlag:
    """Whether `job` was cancelled, from a Redis key that `job_cancel` sets:
    one EXISTS, cheap enough for every page, where the row is read only
    every BEAT_EVERY seconds; at most every `every` seconds where the steps
    are smaller than the read (the assembly's files). A hint: the row decides. Without Redis, or
    once it fails, the flag stays down and the heartbeat alone finds a
    cancel."""

    def __init__(self, job: Job, *, every: float = 0.0) -> None:
        self.key = cancel_flag_key(job)
        self.store = redis_client(settings.REDIS_URL) if settings.REDIS_URL else None
        self.every = every  # seconds between two reads; 0: every call reads
        self.read_at = -every

    def is_up(self) -> bool:
        if self.store is None or time.monotonic() - self.read_at < self.every:
            return False
        self.read_at = time.monotonic()
        try:
            return bool(self.store.exists(self.key))
        except redis.RedisError as error:
            logger.warning("cancel flags unreadable (%s); the heartbeat alone finds cancels", error)
            self.store = None  # never wait on a lost Redis once per page
            return False


def cancel_flag_key(job: Job) -> str:
    # With the job's creation time: ids start again at 1 in a new database
    # (every test run), and a flag must never stop another job.
    return f"tn:job-cancelled:{job.pk}:{job.created.timestamp():.6f}"


def heartbeat(beat_now: Callable[[], None], flag: CancelFlag) -> Callable[[], None]:
    """For between pages: `beat_now` at most every BEAT_EVERY seconds of a
    run (pages come every 10-20 ms), and at once when `flag` is up. As
    `beat_now` raises Stopped once the row is no longer the run's, a
    cancelled render stops before its next page. The last values always
    reach the row with the result."""
    last = time.monotonic()

    def maybe() -> None:
        nonlocal last
        if flag.is_up() or time.monotonic() - last >= BEAT_EVERY:
            beat_now()
            last = time.monotonic()

    return maybe


@contextlib.contextmanager
def beating(beat_now: Callable[[], None]) -> Iterator[None]:
    """`beat_now` from a thread of its own while the body runs: first after
    BEAT_EVERY (the run beat at most that long ago, between its pages; a
    body that ends sooner, as most do, costs no write), then every quarter
    of JOB_STALE_AFTER. The body's outcome decides the run: a beat that
    finds the row no longer the run's just ends the beating (the run's next
    write stops it), and a beat that fails is logged (the run's own next
    write meets the same fault)."""
    done = threading.Event()
    every = max(0.1, settings.JOB_STALE_AFTER / 4)

    def keep_beating() -> None:
        try:
            wait = min(every, BEAT_EVERY)
            while not done.wait(wait):
                beat_now()
                wait = every
        except Stopped:
            pass
        except Exception:  # a helper thread must not die loudly: the run decides
            logger.warning("a heartbeat from the background failed", exc_info=True)
        finally:
            connection.close()  # this thread's own

    thread = threading.Thread(target=keep_beating, name="lease-beating", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=every)  # a beat stuck on a lost connection is left to end alone


def release(model: type[Job] | type[JobPart], pk: int, token: uuid.UUID | None) -> None:
    """A run that lost its database connection hands its row back (queued,
    the attempt not counted) for the task's retry to claim at once. If the
    database is still away, the reconciler sends it again later."""
    connection.close()
    try:
        model.objects.filter(pk=pk, run_token=token, status="running").update(
            status="queued", run_token=None, attempts=Greatest(F("attempts") - 1, 0)
        )
    except CONNECTION_ERRORS:
        logger.warning(
            "%s %s: the database is still away; the reconciler will send it again", model.__name__, pk
        )
        connection.close()


def finish_job(job: Job, token: uuid.UUID | None, status: str, **changes: Any) -> bool:
    """End a job once. With a token, only the run that owns it can."""
    rows = Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE)
    if token is not None:
        rows = rows.filter(run_token=token)
    with transaction.atomic():
        ended = rows.update(status=status, finished=timezone.now(), heartbeat=timezone.now(), **changes)
        if ended and status != Job.Status.SUCCEEDED:
            refund_exports(job=job)
        if ended and status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            announce_finished(job)
    if ended and status != Job.Status.SUCCEEDED:
        remove_part_files(job.pk)
        remove_strays(job.pk)  # no result: whatever a run left
    if ended and job.kind == Job.Kind.ARCHIVE_IMPORT:
        transaction.on_commit(lambda: remove_source(job.pk))
    elif ended:
        # The owner's next in line; the reconciler sends it if this fails.
        transaction.on_commit(lambda: dispatch(owner_id=job.owner_id), robust=True)
    return bool(ended)


def announce_finished(job: Job) -> None:
    """`job_finished`, inside the transaction that ends the job. A
    listener's failure (a webhook) must never keep a job from ending; a
    lost connection, though, has lost the whole transaction."""
    for receiver, error in job_finished.send_robust(sender=Job, job=Job.objects.get(pk=job.pk)):
        if isinstance(error, CONNECTION_ERRORS):
            raise error
        if isinstance(error, Exception):
            logger.error("job %s: %r failed on job_finished: %r", job.pk, receiver, error)
    if transaction.get_rollback():  # a listener's savepoint could not be undone
        raise OperationalError(f"job {job.pk}: the transaction that ended it was rolled back")


def fail_job(job: Job, token: uuid.UUID | None, message: str) -> bool:
    return finish_job(job, token, Job.Status.FAILED, error=message[:500])
