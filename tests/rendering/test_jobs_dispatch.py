"""Fast export and fair turns: a Pro user's jobs go to the queue every
worker serves first, and each user has a few jobs or bulk parts out at a
time, so one user's backlog never holds another user's export back.

The first tests record the messages instead of sending them and play the
worker's part; the last ones run real workers over Redis and RabbitMQ."""

import pytest

from accounts.models import Plan, User
from rendering import jobs
from rendering.jobs import dispatch
from rendering.models import Job, JobPart
from tests.brokers import BOTH_BROKERS
from tests.factories import UserFactory, thread_with_posts
from tests.workers import wait_for

# Each commit runs what waits for it (the sends), as in production.
COMMITS = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch, settings) -> list[tuple[str, int, str]]:
    """Each message as (task, row id, queue), in the order sent."""
    messages: list[tuple[str, int, str]] = []

    def record(name: str, args: tuple[int], queue: str, task_id: str) -> None:
        messages.append((name, args[0], queue))

    monkeypatch.setattr(dispatch.celery_app, "send_task", record)
    settings.CELERY_TASK_DEFAULT_QUEUE = "everyday"
    return messages


@pytest.fixture
def share(settings) -> int:
    settings.JOB_MESSAGES_PER_USER = 2
    return 2


@pytest.fixture
def runs_many(alice) -> User:
    Plan.objects.filter(code=alice.plan_id).update(max_running_jobs=20, bulk_max_threads=20)
    alice.refresh_from_db()
    return alice


def make_job(user: User, **request: object) -> Job:
    job, _ = jobs.job_create(user=user, request=jobs.JobRequest(**request))  # type: ignore[arg-type]
    return job


def single_jobs(user: User, count: int, title: str = "Queued") -> list[Job]:
    made = []
    for number in range(count):
        thread = thread_with_posts(user, f"Post of {title} {number}.", title=f"{title} {number}")
        made.append(make_job(user, kind="thread", threads=[thread.pk], format="png"))
    return made


def job_ids(messages: list[tuple[str, int, str]], task: str = dispatch.RUN_JOB) -> list[int]:
    return [row for name, row, _ in messages if name == task]


@COMMITS
def test_a_users_jobs_past_their_share_wait_and_go_out_oldest_first_as_theirs_end(runs_many, sent, share):
    made = single_jobs(runs_many, 5)

    assert job_ids(sent) == [made[0].pk, made[1].pk]
    waiting = Job.objects.filter(pk__in=[job.pk for job in made[2:]])
    assert set(waiting.values_list("status", flat=True)) == {"queued"}
    assert set(waiting.values_list("enqueued", flat=True)) == {None}, "held in the database, no message"

    jobs.job_run(job_id=made[0].pk)

    assert Job.objects.get(pk=made[0].pk).status == "succeeded"
    assert job_ids(sent) == [made[0].pk, made[1].pk, made[2].pk]


@COMMITS
def test_a_cancelled_job_makes_room_for_the_next(runs_many, sent, share):
    made = single_jobs(runs_many, 3)

    jobs.job_cancel(job=made[1])

    assert job_ids(sent) == [made[0].pk, made[1].pk, made[2].pk]


@COMMITS
def test_another_users_job_goes_out_at_once_whatever_the_first_users_backlog(runs_many, bob, sent, share):
    single_jobs(runs_many, 6)
    bobs = single_jobs(bob, 1, title="Bob's")

    assert len(job_ids(sent)) == 3
    assert job_ids(sent)[-1] == bobs[0].pk


@COMMITS
def test_a_bulk_exports_parts_go_out_a_share_at_a_time_in_order(runs_many, sent, share):
    for number in range(5):
        thread_with_posts(runs_many, f"Post {number}.", title=f"Bulk {number}")
    bulk = make_job(runs_many, kind="bulk", threads="all", kinds=["cards"], format="png")
    assert job_ids(sent, dispatch.START_BULK) == [bulk.pk]

    jobs.bulk_start(job_id=bulk.pk)
    parts = list(JobPart.objects.filter(job=bulk).order_by("number"))

    assert job_ids(sent, dispatch.RUN_PART) == [parts[0].pk, parts[1].pk]
    jobs.part_run(part_id=parts[1].pk)
    assert job_ids(sent, dispatch.RUN_PART) == [parts[0].pk, parts[1].pk, parts[2].pk]
    for part in parts:
        jobs.part_run(part_id=part.pk)  # a part already done or not sent yet is run all the same

    assert job_ids(sent, dispatch.ASSEMBLE) == [bulk.pk]
    jobs.bulk_assemble(job_id=bulk.pk)
    assert Job.objects.get(pk=bulk.pk).status == "succeeded"


@COMMITS
def test_a_pro_users_jobs_parts_and_assembly_go_to_the_fast_queue(alice, bob, sent, settings):
    Plan.objects.filter(code=Plan.PRO).update(bulk_max_threads=20)
    alice.plan_id = Plan.PRO
    alice.save()
    for number in range(2):
        thread_with_posts(alice, f"Post {number}.", title=f"Pro {number}")
    bulk = make_job(alice, kind="bulk", threads="all", kinds=["cards"], format="png")
    jobs.bulk_start(job_id=bulk.pk)
    for part in JobPart.objects.filter(job=bulk):
        jobs.part_run(part_id=part.pk)
    single_jobs(bob, 1, title="Free")

    fast = "everyday" + settings.FAST_QUEUE_SUFFIX
    assert [(name, queue) for name, _, queue in sent] == [
        (dispatch.START_BULK, fast),
        (dispatch.RUN_PART, fast),
        (dispatch.RUN_PART, fast),
        (dispatch.ASSEMBLE, fast),
        (dispatch.RUN_JOB, "everyday"),
    ]
    assert Job.objects.get(pk=bulk.pk).fast
    assert alice.plan.limits()["fast_export"]
    assert not bob.plan.limits()["fast_export"]


@pytest.mark.django_db
def test_the_reconciler_sends_waiting_work_that_a_lost_dispatch_left_behind(
    runs_many, sent, share, django_capture_on_commit_callbacks
):
    # The jobs' commit callbacks never run: as if the process died right after its commit.
    made = single_jobs(runs_many, 3)
    assert sent == []

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_reconcile()["waiting"] == 2
    assert job_ids(sent) == [made[0].pk, made[1].pk]
    assert jobs.jobs_reconcile()["waiting"] == 0, "the share is full: nothing more until one ends"


def started_order(ids: list[int]) -> list[int]:
    return list(Job.objects.filter(pk__in=ids).order_by("started", "pk").values_list("pk", flat=True))


def long_threads(user: User, count: int, title: str, posts: int = 6) -> list[int]:
    text = "A post long enough to take several lines of the card, drawn again and again. " * 4
    return [thread_with_posts(user, *[text] * posts, title=f"{title} {n}").pk for n in range(count)]


@BOTH_BROKERS
@pytest.mark.django_db(transaction=True)
def test_a_pro_job_overtakes_the_free_jobs_already_queued(cluster, settings):
    free_users = [UserFactory(email=f"free{n}@example.com") for n in range(4)]
    pro = UserFactory(email="pro@example.com", plan_id=Plan.PRO)
    free_jobs = [
        make_job(user, kind="carousel", threads=[thread_id], format="png")
        for user in free_users
        for thread_id in long_threads(user, 2, "Free")
    ]
    pro_job = make_job(pro, kind="carousel", threads=long_threads(pro, 1, "Pro"), format="png")

    cluster()  # one worker, two processes, started with all nine jobs queued
    ids = [job.pk for job in [*free_jobs, pro_job]]
    wait_for(lambda: not Job.objects.filter(pk__in=ids, status__in=Job.ACTIVE).exists(), what="the jobs")

    assert set(Job.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"succeeded"}
    # Each process takes one message at a time; the Pro job is among the first
    # two (three over RabbitMQ, which may hand a process a free message as the
    # worker starts), not behind the eight free ones.
    assert pro_job.pk in started_order(ids)[:3]


@pytest.mark.django_db(transaction=True)
def test_one_free_users_backlog_does_not_hold_back_another_free_users_export(
    cluster, runs_many, bob, settings
):
    settings.JOB_MESSAGES_PER_USER = 2
    cluster(JOB_MESSAGES_PER_USER="2")
    bobs_thread = long_threads(bob, 1, "Bob's")
    # Each of a quarter second or more: most of them still wait when Bob's
    # is made (carousels of 8 slides took 50 ms: the backlog was half done).
    backlog = [
        make_job(runs_many, kind="carousel", threads=[thread_id], format="png")
        for thread_id in long_threads(runs_many, 10, "Backlog", posts=40)
    ]
    wait_for(lambda: Job.objects.filter(pk__in=[job.pk for job in backlog], status="running").exists())
    bobs = make_job(bob, kind="carousel", threads=bobs_thread, format="png")

    ids = [job.pk for job in [*backlog, bobs]]
    wait_for(lambda: not Job.objects.filter(pk__in=ids, status__in=Job.ACTIVE).exists(), what="the jobs")

    assert set(Job.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"succeeded"}
    bobs.refresh_from_db()
    overtaking = Job.objects.filter(owner=runs_many, started__gt=bobs.enqueued, started__lt=bobs.started)
    # Alice had two out when Bob's was sent (queued or running): those two may
    # start before it, and one more sent in the moment between Bob's being
    # marked and its message leaving; not the rest that waited their turn.
    assert overtaking.count() <= 3, started_order(ids)
    assert Job.objects.filter(owner=runs_many, started__gt=bobs.started).count() >= 5
