"""Thin Celery tasks: each takes an id and calls the job service, which
claims the row before it works (so a repeated message does nothing)."""

from celery import shared_task
from celery.signals import worker_process_init

from rendering import adapters, jobs

# A database connection lost mid-task (PostgreSQL restarted, the connection
# killed): the service has handed its row back; the task runs again shortly.
RETRY = {
    "autoretry_for": jobs.CONNECTION_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 10,
}


@worker_process_init.connect
def warm_up_renderer(**_: object) -> None:
    """Each pool process warms the renderer before it takes its first job."""
    adapters.warm_up()


@shared_task(name="rendering.run_job", **RETRY)
def run_job(job_id: int) -> None:
    jobs.job_run(job_id)


@shared_task(name="rendering.start_bulk", **RETRY)
def start_bulk(job_id: int) -> None:
    jobs.bulk_start(job_id)


@shared_task(name="rendering.run_part", **RETRY)
def run_part(part_id: int) -> None:
    jobs.part_run(part_id)


@shared_task(name="rendering.assemble", **RETRY)
def assemble(job_id: int) -> None:
    jobs.bulk_assemble(job_id)


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
