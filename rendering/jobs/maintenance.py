"""Cancelling a job, and the periodic tasks that keep jobs moving and the
storage small: the reconciler and the clean-up."""

import datetime
import logging

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from config.celery import app as celery_app
from config.errors import Conflict
from config.redis_client import redis_client
from rendering.jobs.dispatch import (
    ASSEMBLE,
    IMPORT_ARCHIVE,
    RUN_JOB,
    RUN_PART,
    START_BULK,
    dispatch_waiting,
    message_id,
    send,
    send_assembly,
    send_part,
)
from rendering.jobs.lease import cancel_flag_key, fail_job, finish_job, stale_before
from rendering.jobs.outcomes import given_up, too_many_attempts
from rendering.jobs.storage import remove_part_files, remove_source, remove_strays
from rendering.models import Job, JobPart

logger = logging.getLogger(__name__)


def job_cancel(*, job: Job) -> Job:
    """End the job now (its exports given back); once that is committed,
    raise its cancel flag, so its renders stop before their next page, and
    revoke its messages still queued, so they never take a worker."""
    if job.is_finished:
        raise Conflict(f"the job has already {job.status}.", field="status")
    if finish_job(job, None, Job.Status.CANCELLED):
        transaction.on_commit(lambda: stop_runs(job))
    job.refresh_from_db()
    return job


def stop_runs(job: Job) -> None:
    raise_cancel_flag(job)
    unqueue(messages_of(job))


def raise_cancel_flag(job: Job) -> None:
    if not settings.REDIS_URL:
        return
    try:
        # Kept as long as a run can last: any run after it finds the row finished.
        redis_client(settings.REDIS_URL).set(cancel_flag_key(job), 1, ex=settings.CELERY_TASK_TIME_LIMIT)
    except redis.RedisError as error:
        logger.warning("job %s: no cancel flag (%s); its run stops at its next heartbeat", job.pk, error)


def messages_of(job: Job) -> list[str]:
    if job.kind == Job.Kind.ARCHIVE_IMPORT:
        return [message_id(IMPORT_ARCHIVE, job.pk)]
    if job.kind != Job.Kind.BULK:
        return [message_id(RUN_JOB, job.pk)]
    parts = JobPart.objects.filter(job=job).values_list("id", flat=True)
    return [
        message_id(START_BULK, job.pk),
        message_id(ASSEMBLE, job.pk),
        *(message_id(RUN_PART, part_id) for part_id in parts),
    ]


def unqueue(message_ids: list[str]) -> None:
    """Workers drop these messages unread when they come to them. Each
    worker keeps the list in memory: one started later runs them, and they
    end at once on the finished row."""
    try:
        celery_app.control.revoke(message_ids)
    except (BrokerUnreachable, redis.RedisError, OSError) as error:
        logger.warning("%s messages not revoked (%s); they end at once when run", len(message_ids), error)


def jobs_reconcile() -> dict[str, int]:
    """Send again what a lost message, a dead worker or a crash between commit
    and send left behind, and what waits for its owner's turn. Safe to run
    any number of times: every step claims its row before it works."""
    now = timezone.now()
    requeue_before = now - datetime.timedelta(seconds=settings.JOB_REQUEUE_AFTER)
    stale = stale_before()
    sent = {"jobs": 0, "parts": 0, "assemblies": 0, "waiting": dispatch_waiting()}
    lost = Job.objects.filter(
        Q(status=Job.Status.QUEUED, enqueued__lt=requeue_before)
        | Q(status=Job.Status.RUNNING, heartbeat__lt=stale)
    )
    for job in lost:
        if job.kind == Job.Kind.BULK and job.status == Job.Status.RUNNING:
            continue  # its parts are looked at below
        if job.status == Job.Status.RUNNING and too_many_attempts(job):
            fail_job(job, None, f"The job {given_up(job.attempts)}")
            continue
        Job.objects.filter(pk=job.pk).update(enqueued=now)
        send(job)
        sent["jobs"] += 1
    running_bulk = Job.objects.filter(kind=Job.Kind.BULK, status=Job.Status.RUNNING)
    parts = (
        JobPart.objects.filter(job__in=running_bulk)
        .filter(
            Q(status=JobPart.Status.QUEUED, enqueued__lt=requeue_before)
            | Q(status=JobPart.Status.RUNNING, heartbeat__lt=stale)
        )
        .select_related("job")
    )
    for part in parts:
        JobPart.objects.filter(pk=part.pk).update(enqueued=now)
        send_part(part, fast=part.job.fast)
        sent["parts"] += 1
    for job in running_bulk.filter(heartbeat__lt=stale):
        if not JobPart.objects.filter(job=job).exclude(status=JobPart.Status.SUCCEEDED).exists():
            if JobPart.objects.filter(job=job).exists():
                send_assembly(job)
                sent["assemblies"] += 1
            else:
                send(job)  # its parts were never made
                sent["jobs"] += 1
    return sent


def jobs_clean_up() -> int:
    """Delete jobs (and their files) finished more than the retention ago."""
    before = timezone.now() - datetime.timedelta(days=settings.JOB_RETENTION_DAYS)
    old = Job.objects.filter(finished__lt=before)
    count = 0
    for job in old.iterator():
        if job.result:
            default_storage.delete(str(job.result.name))
        remove_source(job.pk)
        remove_part_files(job.pk)
        remove_strays(job.pk)
        job.delete()
        count += 1
    return count
