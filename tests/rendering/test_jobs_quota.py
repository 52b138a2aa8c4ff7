"""Quotas under concurrency: PostgreSQL, real connections, real threads."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import MonthlyUsage, month_start
from rendering import jobs
from rendering.models import Job
from tests.conftest import require_service
from tests.factories import thread_with_posts


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_for_the_last_five_exports_admit_exactly_five(alice, monkeypatch):
    require_service(connection.vendor == "postgresql", "DATABASE_URL (PostgreSQL)")
    sent: list[int] = []
    monkeypatch.setattr(jobs, "queue", lambda task, object_id: sent.append(object_id))  # no worker here
    thread = thread_with_posts(alice, "One post.")
    limit = alice.plan.exports_per_month
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=limit - 5)
    start = threading.Barrier(20)
    codes: list[int] = []

    def request() -> None:
        client = APIClient()
        client.force_authenticate(alice)
        try:
            start.wait()
            response = client.post(
                "/api/v1/jobs/", {"kind": "cards", "thread": thread.pk, "format": "png"}, format="json"
            )
            codes.append(response.status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=request) for _ in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(codes) == [202] * 5 + [429] * 15
    assert Job.objects.filter(owner=alice).count() == 5
    assert MonthlyUsage.objects.get(user=alice, month=month_start()).exports == limit
    assert sorted(sent) == sorted(Job.objects.values_list("id", flat=True)), (
        "each admitted job sent once, after commit"
    )
