"""The Celery app. Configuration lives in settings under the CELERY_ prefix."""

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("thread_navigator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_local_broker_folders() -> None:
    """The filesystem broker and file result backend need their folders to exist."""
    options = app.conf.broker_transport_options or {}
    folders = [options.get("data_folder_in"), options.get("control_folder")]
    backend = str(app.conf.result_backend or "")
    if backend.startswith("file://"):
        folders.append(backend.removeprefix("file://"))
    for folder in filter(None, folders):
        Path(folder).mkdir(parents=True, exist_ok=True)


# The web process sends and the worker receives through these folders; both
# import this module first, so making them here covers every process.
ensure_local_broker_folders()


@worker_process_init.connect
def worker_commits_without_waiting_for_the_disk(**_: object) -> None:
    """A worker's writes are heartbeats, progress and results that the
    reconciler can always redo: on PostgreSQL they commit without waiting
    for the WAL flush, which leaves the disk to the web processes' writes.
    A database crash can lose the last moment of them; the job then runs
    again (a run's claim and result are idempotent), never half."""
    from django.db.backends.signals import connection_created

    connection_created.connect(asynchronous_commits, weak=False)


def asynchronous_commits(sender: object, connection: Any, **_: object) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


@task_prerun.connect
@task_postrun.connect
def database_connections_as_between_requests(task: Any = None, **_: object) -> None:
    """A task's database connection is kept for the next (CELERY_DB_REUSE_MAX
    stops Celery closing it), as a web process keeps one between requests:
    closed here past CONN_MAX_AGE or when an error left it unusable, and
    otherwise checked before its next use (CONN_HEALTH_CHECKS), so a task
    after a database restart or a partition gets a new one. Not for a task
    run eagerly: the caller's connection, maybe in its transaction."""
    from django.db import close_old_connections

    if task is None or not getattr(task.request, "is_eager", False):
        close_old_connections()
