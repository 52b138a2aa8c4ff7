"""Fault drills for tests and `bench/fault_drills.py`, never production
(config/settings.py refuses FAULT_DRILLS there). `rendering.tasks`
installs them in a worker started with FAULT_DRILLS set; nothing on the
production path knows of them.

FAULT_DRILLS="crash:MARKER": a worker that runs a job or bulk part of a
thread whose title holds MARKER dies as if killed, right after claiming
its row (so the attempt counts, as a real crash's would)."""

import os
import signal
from typing import Any

from celery.signals import task_prerun

from rendering.jobs.dispatch import RUN_JOB, RUN_PART
from rendering.jobs.lease import claim, redelivered
from rendering.jobs.outcomes import too_many_attempts
from rendering.models import Job, JobPart
from threads.models import Thread


def install(drill: str) -> None:
    if drill.startswith("crash:"):
        marker = drill.removeprefix("crash:")
        task_prerun.connect(lambda **event: crash_on(marker, **event), weak=False)


def crash_on(marker: str, *, task: Any, args: tuple[Any, ...], **_: object) -> None:
    if not args:
        return  # the reconciler, the clean-up: no row of their own
    row = crash_row(task.name, args[0])
    if row is None or too_many_attempts(row):
        return  # the run itself gives it up
    titles = Thread.objects.filter(pk__in=row.thread_ids).values_list("title", flat=True)
    # `claim` takes only a row no other run holds, as the run itself would.
    again = redelivered(task.request.delivery_info)
    if any(marker in title for title in titles) and claim(type(row), row.pk, redelivered=again) is not None:
        os.kill(os.getpid(), signal.SIGKILL)


def crash_row(task_name: str, object_id: int) -> Job | JobPart | None:
    if task_name == RUN_JOB:
        return Job.objects.filter(pk=object_id).first()
    if task_name == RUN_PART:
        return JobPart.objects.filter(pk=object_id).first()
    return None
