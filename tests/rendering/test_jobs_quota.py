"""Quotas under concurrency: PostgreSQL, real connections, real threads."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import MonthlyUsage, Plan, month_start
from rendering import jobs
from rendering.models import Job
from tests.conftest import require_service
from tests.factories import thread_with_posts

JOBS = "/api/v1/jobs/"


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    require_service(connection.vendor == "postgresql", "DATABASE_URL (PostgreSQL)")
    messages: list[int] = []
    # No worker here.
    monkeypatch.setattr(
        "rendering.jobs.dispatch.queue", lambda name, object_id, **_: messages.append(object_id)
    )
    return messages


def at_once(user, body: dict, count: int) -> list[tuple[int, dict]]:
    """`count` requests to create `body`, released together, each on its own connection."""
    start = threading.Barrier(count)
    answers: list[tuple[int, dict]] = []

    def request() -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait()
            response = client.post(JOBS, body, format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=request) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_for_the_last_five_exports_admit_exactly_five(alice, sent):
    Plan.objects.filter(code=alice.plan_id).update(max_running_jobs=20)
    thread = thread_with_posts(alice, "One post.")
    limit = alice.plan.exports_per_month
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=limit - 5)

    answers = at_once(alice, {"kind": "cards", "thread": thread.pk, "format": "png"}, 20)

    assert sorted(code for code, _ in answers) == [202] * 5 + [429] * 15
    assert Job.objects.filter(owner=alice).count() == 5
    assert MonthlyUsage.objects.get(user=alice, month=month_start()).exports == limit
    assert sorted(sent) == sorted(Job.objects.values_list("id", flat=True)), (
        "each admitted job sent once, after commit"
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_jobs_of_a_free_user_admit_exactly_the_plans_two(alice, sent):
    thread = thread_with_posts(alice, "One post.")
    assert alice.plan.max_running_jobs == 2

    answers = at_once(alice, {"kind": "cards", "thread": thread.pk, "format": "png"}, 20)

    assert sorted(code for code, _ in answers) == [202] * 2 + [429] * 18
    refused = next(body for code, body in answers if code == 429)
    assert refused["code"] == "quota_exceeded"
    assert refused["errors"] == {"max_running_jobs": [refused["message"].removeprefix("max_running_jobs: ")]}
    assert "runs 2 exports at a time" in refused["message"]
    assert Job.objects.filter(owner=alice).count() == 2
    assert MonthlyUsage.objects.get(user=alice, month=month_start()).exports == 2, "refused jobs cost nothing"
    assert sorted(sent) == sorted(Job.objects.values_list("id", flat=True))


@pytest.mark.django_db
def test_a_finished_or_cancelled_job_frees_its_slot_at_once_and_a_replay_takes_none(
    as_alice, alice, bob, sent
):
    thread = thread_with_posts(alice, "One post.")
    body = {"kind": "cards", "thread": thread.pk, "format": "png"}
    first = as_alice.post(JOBS, body, format="json", HTTP_IDEMPOTENCY_KEY="first").json()["id"]
    second = as_alice.post(JOBS, body, format="json").json()["id"]

    third = as_alice.post(JOBS, body, format="json")
    replay = as_alice.post(JOBS, body, format="json", HTTP_IDEMPOTENCY_KEY="first")
    bobs = APIClient()
    bobs.force_authenticate(bob)
    bobs_own = bobs.post(JOBS, {**body, "thread": thread_with_posts(bob, "Bob's.").pk}, format="json")

    assert third.status_code == 429
    assert replay.status_code == 202, "a replay is the job it made, not a new one"
    assert replay.json()["id"] == first
    assert bobs_own.status_code == 202, "the limit is each user's own"

    as_alice.post(f"{JOBS}{first}/cancel/")
    jobs.job_run(job_id=second)
    after = [as_alice.post(JOBS, body, format="json").status_code for _ in range(3)]

    assert after == [202, 202, 429], "the cancelled and the finished job each gave their slot back"
    assert Job.objects.filter(owner=alice, status__in=Job.ACTIVE).count() == 2


@pytest.mark.django_db
def test_the_plans_limits_show_the_jobs_it_runs_at_once(as_alice):
    limits = as_alice.get("/api/v1/accounts/me/").json()["plan"]["limits"]

    assert limits["max_running_jobs"] == 2
    assert Plan.objects.get(code=Plan.PRO).limits()["max_running_jobs"] == 8
