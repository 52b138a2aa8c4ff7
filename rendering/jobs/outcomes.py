"""How a run ends on an error, decided here once for every run loop (a
job, a bulk part, an assembly, an archive import):

- retry: the database connection was lost. The row is handed back (the
  attempt not counted) and the error re-raised for the task's autoretry.
- fail: the owner's cause (a refused style, a deleted thread, no room to
  store the file) or ours (an unexpected error, logged). The row ends
  failed with a message for its owner, and its exports are given back.
- give up: the run no longer owns the row (cancelled, taken over), so it
  leaves without writing anything. A row whose runs kept killing their
  worker is given up too, before it runs (`too_many_attempts`)."""

import enum
import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from config.errors import Invalid, NotFound
from rendering.engine import renderer
from rendering.models import Job, JobPart

logger = logging.getLogger(__name__)

# A lost or killed database connection: the task is retried, not failed.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
STORAGE_FULL = "there was no room left to store the export; nothing was charged. Please try again later."
# Errors whose message is for the owner as it is.
OWNERS_ERRORS = (renderer.RenderRefused, NotFound, Invalid)


class Stopped(Exception):
    """The job was cancelled or taken over by another run while rendering."""


class StorageFull(Exception):
    """There was no room to store a file; what was partly written is gone."""


def too_many_attempts(job_or_part: Job | JobPart) -> bool:
    return job_or_part.attempts >= settings.JOB_MAX_ATTEMPTS


def given_up(attempts: int) -> str:
    return f"stopped its worker {attempts} times; it was given up."


class Verdict(enum.Enum):
    RETRY = "retry"
    FAIL = "fail"
    GIVE_UP = "give up"


@dataclass(frozen=True)
class Wording:
    """What a failed run's row says when the cause is not the owner's error."""

    storage_full: str
    unexpected: str
    timed_out: str = ""  # a soft time limit; unexpected when empty


EXPORT = Wording(
    storage_full=f"The export failed: {STORAGE_FULL}",
    unexpected="Rendering failed unexpectedly; the error was logged for us to fix.",
)
# A part's reason is given after its thread's name (`bulk.part_failed`).
PART = Wording(
    storage_full=STORAGE_FULL,
    unexpected="rendering failed unexpectedly; the error was logged for us to fix.",
)


def verdict(error: Exception, wording: Wording) -> tuple[Verdict, str]:
    """What to do about `error`, and the failed row's message."""
    if isinstance(error, Stopped):
        return Verdict.GIVE_UP, ""
    if isinstance(error, CONNECTION_ERRORS):
        return Verdict.RETRY, ""
    if isinstance(error, StorageFull) or (isinstance(error, OSError) and error.errno in NO_ROOM):
        return Verdict.FAIL, wording.storage_full
    if isinstance(error, OWNERS_ERRORS):
        return Verdict.FAIL, str(error)
    if isinstance(error, SoftTimeLimitExceeded) and wording.timed_out:
        return Verdict.FAIL, wording.timed_out
    return Verdict.FAIL, wording.unexpected


class RunErrors:
    """The `with` around a run's work: an error raised inside is sorted by
    `verdict` and acted on. `fail(message)` ends the row failed (with the
    run's token), `release()` hands it back before a retry. `still_mine`,
    when given, is asked after a FileNotFoundError: a file that vanished because
    the row was cancelled meanwhile is a give-up, not a failure. After the
    block, `caught` says whether it ended on an error."""

    def __init__(
        self,
        *,
        label: str,
        wording: Wording,
        fail: Callable[[str], object],
        release: Callable[[], None],
        on_stop: Callable[[], None] | None = None,
        still_mine: Callable[[], bool] | None = None,
    ) -> None:
        self.label = label
        self.wording = wording
        self.fail = fail
        self.release = release
        self.on_stop = on_stop or (lambda: logger.info("%s stopped: cancelled or taken over", label))
        self.still_mine = still_mine
        self.caught = False

    def __enter__(self) -> "RunErrors":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> bool:
        if not isinstance(error, Exception):
            return False  # none, or a worker's shutdown: not ours to sort
        self.caught = True
        what, message = verdict(error, self.wording)
        if isinstance(error, FileNotFoundError) and self.still_mine is not None and not self.still_mine():
            what = Verdict.GIVE_UP
        if what is Verdict.RETRY:
            self.release()
            return False
        if what is Verdict.GIVE_UP:
            self.on_stop()
            return True
        if message == self.wording.unexpected:
            logger.error("%s failed", self.label, exc_info=error)
        self.fail(message)
        return True
