"""Thin Celery tasks: each takes an id and calls the job service, which
claims the row before it works (so a repeated message does nothing). The
services send messages by these tasks' names and never import this module."""

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.conf import settings

from rendering import adapters, jobs
from rendering.jobs.dispatch import ASSEMBLE, RUN_JOB, RUN_PART, START_BULK
from rendering.jobs.lease import redelivered

# A database connection lost mid-task (PostgreSQL restarted, the connection
# killed): the service has handed its row back; the task runs again shortly.
RETRY = {
    "autoretry_for": jobs.CONNECTION_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 10,
}

if settings.FAULT_DRILLS:  # tests and drills only: config/settings.py refuses it in production
    from rendering.jobs import drills

    drills.install(settings.FAULT_DRILLS)


@worker_process_init.connect
def warm_up_renderer(**_: object) -> None:
    """Each pool process warms the renderer before it takes its first job."""
    adapters.warm_up()


@shared_task(name=RUN_JOB, bind=True, **RETRY)
def run_job(self: Task, job_id: int) -> None:
    jobs.job_run(job_id=job_id, redelivered=redelivered(self.request.delivery_info))


@shared_task(name=START_BULK, **RETRY)
def start_bulk(job_id: int) -> None:
    jobs.bulk_start(job_id=job_id)


@shared_task(name=RUN_PART, bind=True, **RETRY)
def run_part(self: Task, part_id: int) -> None:
    jobs.part_run(part_id=part_id, redelivered=redelivered(self.request.delivery_info))


@shared_task(name=ASSEMBLE, **RETRY)
def assemble(job_id: int) -> None:
    jobs.bulk_assemble(job_id=job_id)


@shared_task(name="rendering.reconcile", acks_late=False)
def reconcile() -> dict[str, int]:
    return jobs.jobs_reconcile()


@shared_task(name="rendering.clean_up", acks_late=False)
def clean_up() -> int:
    return jobs.jobs_clean_up()


@shared_task(name="rendering.ping", ignore_result=False, acks_late=False)
def ping() -> str:
    """Answers "pong": proves a worker is consuming the queue it was sent to."""
    return "pong"
