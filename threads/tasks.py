"""Thin Celery tasks for threads: an id in, one service call (which claims
its row first, so a repeated message does nothing)."""

from celery import shared_task
from django.conf import settings

from rendering.tasks import RETRY
from threads.archive import services as archive


@shared_task(
    name="threads.import_archive",
    soft_time_limit=settings.ARCHIVE_TIME_LIMIT,
    time_limit=settings.ARCHIVE_TIME_LIMIT + 30,
    **RETRY,
)
def import_archive(job_id: int) -> None:
    archive.archive_import_run(job_id=job_id)
