"""Webhooks against a real HTTP server on loopback: signed deliveries when
jobs finish, retries with backoff, endpoints disabled after failures."""

import datetime
import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone

from rendering import jobs
from rendering.models import Job
from tests.factories import thread_with_posts
from tests.workers import wait_for
from webhooks import services
from webhooks.models import Delivery, Endpoint

HOOKS = "/api/v1/webhooks/"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The README's recipe, word for word."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - timestamp) < tolerance


@pytest.mark.django_db
def test_a_finished_job_is_posted_signed_to_the_endpoint(as_alice, receiver, finished_job):
    created = as_alice.post(HOOKS, {"url": receiver.url, "events": ["job.succeeded"]}, format="json").json()

    job = finished_job()
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery.pk)

    request = receiver.requests[0]
    payload = json.loads(request["body"])
    assert payload["event"] == "job.succeeded"
    assert payload["job"]["id"] == job.pk
    assert payload["job"]["result"]["name"] == "hooked-thread.png"
    assert request["headers"]["X-ThreadNavigator-Event"] == "job.succeeded"
    assert verify(created["secret"], request["headers"]["X-ThreadNavigator-Signature"], request["body"])
    assert not verify("whsec_wrong", request["headers"]["X-ThreadNavigator-Signature"], request["body"])
    log = as_alice.get(f"{HOOKS}{created['id']}/deliveries/").json()["results"]
    assert [(entry["status"], entry["answer"], entry["attempts"]) for entry in log] == [
        ("succeeded", "2xx", 1)
    ]


@pytest.mark.django_db
def test_a_failed_delivery_is_retried_with_backoff_until_it_succeeds(
    as_alice, receiver, finished_job, settings
):
    settings.WEBHOOK_RETRY_BASE = 10
    as_alice.post(HOOKS, {"url": receiver.url}, format="json")
    receiver.answers = [500, 503]
    finished_job()
    delivery = Delivery.objects.get()

    services.delivery_attempt(delivery.pk)
    first = Delivery.objects.get()
    services.delivery_attempt(delivery.pk)  # too early: nothing is sent
    Delivery.objects.update(next_attempt=timezone.now())
    services.delivery_attempt(delivery.pk)
    second = Delivery.objects.get()
    Delivery.objects.update(next_attempt=timezone.now())
    services.delivery_attempt(delivery.pk)

    assert (first.status, first.answer, first.attempts) == ("pending", "5xx", 1)
    assert 9 <= (first.next_attempt - timezone.now()).total_seconds() <= 10
    assert 19 <= (second.next_attempt - timezone.now()).total_seconds() <= 20, "the wait doubles"
    assert len(receiver.requests) == 3
    assert Delivery.objects.get().status == "succeeded"
    assert Endpoint.objects.get().consecutive_failures == 0


@pytest.mark.django_db
def test_a_delivery_gives_up_after_its_attempts(as_alice, receiver, finished_job, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    as_alice.post(HOOKS, {"url": receiver.url}, format="json")
    receiver.answers = [500, 500]
    finished_job()

    for _ in range(2):
        services.delivery_attempt(Delivery.objects.get().pk)
        Delivery.objects.filter(status="pending").update(next_attempt=timezone.now())

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt) == ("failed", 2, None)


@pytest.mark.django_db
def test_an_endpoint_that_keeps_failing_is_disabled_and_can_be_enabled_again(
    as_alice, finished_job, settings
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    hook = as_alice.post(HOOKS, {"url": "http://127.0.0.1:9/nobody-listens"}, format="json").json()
    for _ in range(3):
        finished_job()
    for delivery in Delivery.objects.all():
        services.delivery_attempt(delivery.pk)

    disabled = as_alice.get(f"{HOOKS}{hook['id']}/").json()
    finished_job()
    again = as_alice.patch(f"{HOOKS}{hook['id']}/", {"active": True}, format="json").json()

    assert disabled["active"] is False
    assert "Disabled after 3 failed deliveries" in disabled["disabled_reason"]
    assert Delivery.objects.count() == 3, "a disabled endpoint gets no new deliveries"
    assert (again["active"], again["consecutive_failures"], again["disabled_reason"]) == (True, 0, "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": ""}, "url"),
        ({"url": "https://127.0.0.1/hook", "events": ["job.started"]}, "events"),
        ({"url": "https://127.0.0.1/hook", "events": "job.failed"}, "events"),
    ],
)
def test_bad_endpoints_are_refused_by_name(as_alice, body, field):
    response = as_alice.post(HOOKS, body, format="json")

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}:")


@pytest.mark.django_db
def test_production_refuses_plain_http_and_private_addresses(as_alice, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    plain = as_alice.post(HOOKS, {"url": "http://example.com/hook"}, format="json")
    private = as_alice.post(HOOKS, {"url": "https://127.0.0.1/hook"}, format="json")
    internal = as_alice.post(HOOKS, {"url": "https://10.1.2.3/hook"}, format="json")

    assert plain.json()["message"] == "url: must be an https:// address."
    assert private.json()["message"].startswith("url: must be a public address")
    assert internal.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_through_a_real_worker_the_hook_arrives_once(alice, receiver, cluster):
    services.endpoint_create(owner=alice, url=receiver.url)
    thread = thread_with_posts(alice, "Through the worker.", title="Worker hook")
    cluster()

    job, _ = jobs.job_create(
        user=alice, request=jobs.JobRequest(kind="cards", threads=[thread.pk], format="zip")
    )
    wait_for(lambda: len(receiver.requests) >= 1, timeout=60, what="the webhook to arrive")
    time.sleep(1)

    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["job"]["id"] == job.pk
    assert Delivery.objects.get().status == "succeeded"
    assert Delivery.objects.get().delivered > timezone.now() - datetime.timedelta(minutes=1)


@pytest.mark.django_db
def test_an_archive_imports_hook_carries_the_threads_it_saved(alice):
    thread = thread_with_posts(alice, "Saved from the archive.")
    job = Job.objects.create(
        owner=alice,
        kind=Job.Kind.ARCHIVE_IMPORT,
        style={},
        format="zip",
        status=Job.Status.SUCCEEDED,
        outcome={"min_posts": 2, "threads": [thread.pk], "created": 1, "updated": 0, "unchanged": 0},
    )

    result = services.job_payload(job, "job.succeeded")["job"]["result"]

    assert result == {"threads": [thread.pk], "created": 1, "updated": 0, "unchanged": 0}
