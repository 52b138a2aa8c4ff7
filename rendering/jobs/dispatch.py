"""Sending work to the workers: by task name, Pro first, each user a fair share.

Messages go by task name (`celery_app.send_task`), so this package never
imports `rendering.tasks`, which imports it. Every message about one row
has one id, whoever sends it (a retry, the reconciler), so a cancel can
revoke those still queued by name.

**Pro first.** A job made on a plan with `fast_export` (`Job.fast`, frozen
when the job is made) is sent, with its bulk parts and its assembly, to
the fast queue, "<queue>.fast". Every worker consumes it before the
everyday queue (CELERY_TASK_QUEUES in config/settings.py): over Redis its
BRPOP lists it first; over RabbitMQ its messages reach a busy worker at
once and run before any free message that arrives after them.

**A fair share each.** A queue is first in, first out: a user with a
thousand bulk parts queued would keep every other user waiting behind
them. So each user has at most `JOB_MESSAGES_PER_USER` units *out*: jobs
queued with their message sent, single jobs running, and parts of their
running bulk exports queued with their message sent or running. The rest
wait in the database with `enqueued` NULL, and `dispatch` sends them,
oldest job first and a bulk export's parts in order, whenever the user
has room: when a job is made, when a bulk export is split, when a job or
part ends, and on every pass of the reconciler (which covers a dispatch
lost to a crash). One user's thousand parts then hold a few places in the
queue, each sent again at its tail as the one before ends, and another
user's export goes in behind those few: users take turns.

`dispatch` locks the user's row, so two dispatches for one user (a worker
ending a part while the API makes a job) count one after the other; when
nothing of theirs waits (most calls) it is one query and no lock. A bulk
part that ends hands its place to the next waiting part of its export
(`hand_over`: two queries, no lock and no counting, since one unit leaves
and one comes in); only when its export has none left does it `dispatch`,
whose counting costs some 8 queries under the lock. Whoever
makes waiting work dispatches after committing it, so none is missed. It
is safe to call any number of times. Archive imports are outside the share:
a user has at most one, sent when it is made."""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from config.celery import app as celery_app
from rendering.models import Job, JobPart

# The tasks' names, which `rendering.tasks` and `threads.tasks` register.
RUN_JOB = "rendering.run_job"
START_BULK = "rendering.start_bulk"
RUN_PART = "rendering.run_part"
ASSEMBLE = "rendering.assemble"
IMPORT_ARCHIVE = "threads.import_archive"


def queue(task_name: str, object_id: int, *, fast: bool) -> None:
    name = settings.CELERY_TASK_DEFAULT_QUEUE
    celery_app.send_task(
        task_name,
        (object_id,),
        queue=name + settings.FAST_QUEUE_SUFFIX if fast else name,
        task_id=message_id(task_name, object_id),
    )


def message_id(task_name: str, object_id: int) -> str:
    return f"{task_name}:{object_id}"


def send(job: Job) -> None:
    """Send the job's first message: its run, its split or its import."""
    if job.kind == Job.Kind.ARCHIVE_IMPORT:
        queue(IMPORT_ARCHIVE, job.pk, fast=job.fast)
    else:
        queue(START_BULK if job.kind == Job.Kind.BULK else RUN_JOB, job.pk, fast=job.fast)


def send_part(part: JobPart, *, fast: bool) -> None:
    queue(RUN_PART, part.pk, fast=fast)


def send_assembly(job: Job) -> None:
    queue(ASSEMBLE, job.pk, fast=job.fast)


def dispatch(*, owner_id: int) -> int:
    """Send as much of the user's waiting work as their share has room
    for; returns how many messages went out (after commit)."""
    waiting = Exists(waiting_jobs().filter(owner_id=owner_id)) | Exists(
        waiting_parts().filter(job__owner_id=owner_id)
    )
    if not User.objects.filter(waiting, pk=owner_id).exists():
        return 0  # nothing to send (most calls): one query, no lock
    with transaction.atomic():
        if not User.objects.select_for_update().filter(pk=owner_id).values_list("pk", flat=True):
            return 0
        room = settings.JOB_MESSAGES_PER_USER - units_out(owner_id)
        if room <= 0:
            return 0
        jobs = list(waiting_jobs().filter(owner_id=owner_id).order_by("created", "pk")[:room])
        parts = list(
            waiting_parts()
            .filter(job__owner_id=owner_id)
            .select_related("job")
            .order_by("job__created", "job_id", "number")[:room]
        )
        chosen = sorted(
            [(job.created, job.pk, 0, job) for job in jobs]
            + [(part.job.created, part.job_id, part.number, part) for part in parts],
            key=lambda unit: unit[:3],
        )[:room]
        now = timezone.now()
        chosen_jobs = [unit for *_, unit in chosen if isinstance(unit, Job)]
        chosen_parts = [unit for *_, unit in chosen if isinstance(unit, JobPart)]
        Job.objects.filter(pk__in=[job.pk for job in chosen_jobs]).update(enqueued=now)
        JobPart.objects.filter(pk__in=[part.pk for part in chosen_parts]).update(enqueued=now)
        transaction.on_commit(lambda: send_each(chosen_jobs, chosen_parts))
    return len(chosen)


def hand_over(*, part: JobPart) -> bool:
    """`part` has ended: send the next waiting part of its export in its
    place (True), or, with none left, whatever its owner has waiting."""
    following = waiting_parts().filter(job_id=part.job_id).order_by("number").first()
    # Marked only if still waiting: a dispatch or another part's end may
    # have sent it meanwhile, and then this one counts as no hand-over.
    if following is not None and waiting_parts().filter(pk=following.pk).update(enqueued=timezone.now()):
        transaction.on_commit(lambda: send_part(following, fast=part.job.fast))
        return True
    dispatch(owner_id=part.job.owner_id)
    return False


def send_each(jobs: list[Job], parts: list[JobPart]) -> None:
    for job in jobs:
        send(job)
    for part in parts:
        send_part(part, fast=part.job.fast)


def units_out(owner_id: int) -> int:
    jobs = (
        Job.objects.filter(owner_id=owner_id)
        .exclude(kind=Job.Kind.ARCHIVE_IMPORT)
        .filter(
            Q(status=Job.Status.QUEUED, enqueued__isnull=False)
            | (Q(status=Job.Status.RUNNING) & ~Q(kind=Job.Kind.BULK))
        )
    )
    parts = JobPart.objects.filter(job__owner_id=owner_id, job__status=Job.Status.RUNNING).filter(
        Q(status=JobPart.Status.QUEUED, enqueued__isnull=False) | Q(status=JobPart.Status.RUNNING)
    )
    return jobs.count() + parts.count()


def waiting_jobs() -> QuerySet[Job]:
    return Job.objects.filter(status=Job.Status.QUEUED, enqueued__isnull=True).exclude(
        kind=Job.Kind.ARCHIVE_IMPORT
    )


def waiting_parts() -> QuerySet[JobPart]:
    return JobPart.objects.filter(
        job__status=Job.Status.RUNNING, status=JobPart.Status.QUEUED, enqueued__isnull=True
    )


def dispatch_waiting() -> int:
    """`dispatch` for every user with work waiting (the reconciler)."""
    owners = set(waiting_jobs().values_list("owner_id", flat=True)) | set(
        waiting_parts().values_list("job__owner_id", flat=True)
    )
    return sum(dispatch(owner_id=owner_id) for owner_id in sorted(owners))
