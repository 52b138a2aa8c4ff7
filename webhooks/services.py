"""Webhooks: endpoints, deliveries on finished jobs, signing, retries.

Every delivery is a row first (sent after commit); a task POSTs it, signed
with the endpoint's secret, and on failure schedules the next try with
exponential backoff. An endpoint that keeps failing is disabled with the
reason; re-enabling it starts its count again."""

import datetime
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from config.errors import Invalid
from rendering.models import Job
from webhooks.models import Delivery, Endpoint

SIGNATURE_HEADER = "X-ThreadNavigator-Signature"
USER_AGENT = "ThreadNavigator-Webhooks/1"


# --- Endpoints -----------------------------------------------------------------------


def checked_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise Invalid("give the address to call, https://…", field="url")
    url = url.strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise Invalid("must be an https:// address.", field="url")
    if len(url) > 2000:
        raise Invalid("must be at most 2,000 characters.", field="url")
    if not settings.WEBHOOKS_ALLOW_PRIVATE and reaches_private_network(parts.hostname):
        raise Invalid("must be a public address, not a private or local one.", field="url")
    return url


def reaches_private_network(host: str) -> bool:
    """True when the host is, or resolves to, a loopback, private, link-local
    or reserved address (webhooks must not reach into our own network)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # unresolvable now: the delivery will fail and say so
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    return any(a.is_private or a.is_loopback or a.is_link_local or a.is_reserved for a in addresses)


def checked_events(events: object) -> list[str]:
    if events is None:
        return []
    if not isinstance(events, list) or not all(isinstance(event, str) for event in events):
        raise Invalid(f"must be a list of events: {', '.join(Endpoint.EVENTS)}.", field="events")
    unknown = [event for event in events if event not in Endpoint.EVENTS]
    if unknown:
        raise Invalid(f"{unknown[0]!r} is not one of {', '.join(Endpoint.EVENTS)}.", field="events")
    return list(dict.fromkeys(events))


def endpoint_create(*, owner: User, url: object, events: object = None) -> Endpoint:
    if Endpoint.objects.filter(owner=owner).count() >= settings.WEBHOOKS_PER_USER:
        raise Invalid(f"you can register at most {settings.WEBHOOKS_PER_USER} endpoints.", field="url")
    return Endpoint.objects.create(owner=owner, url=checked_url(url), events=checked_events(events))


def endpoint_update(*, endpoint: Endpoint, changes: dict[str, Any]) -> Endpoint:
    if "url" in changes:
        endpoint.url = checked_url(changes["url"])
    if "events" in changes:
        endpoint.events = checked_events(changes["events"])
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            raise Invalid("must be true or false.", field="active")
        endpoint.active = changes["active"]
        if endpoint.active:
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = ""
    endpoint.save()
    return endpoint


# --- Deliveries ----------------------------------------------------------------------


def on_job_finished(sender: object, job: Job, **_: object) -> None:
    """A delivery for each of the owner's endpoints that hears this event."""
    event = f"job.{job.status}"
    with transaction.atomic():  # a savepoint: a failure here leaves the job's own update intact
        for endpoint in Endpoint.objects.filter(owner_id=job.owner_id, active=True):
            if endpoint.hears(event):
                delivery = Delivery.objects.create(
                    endpoint=endpoint,
                    event=event,
                    payload=job_payload(job, event),
                    next_attempt=timezone.now(),
                )
                transaction.on_commit(partial(send, delivery.pk))


def job_payload(job: Job, event: str) -> dict[str, Any]:
    result = (
        {"name": job.result_name, "size": job.result_size} if job.status == Job.Status.SUCCEEDED else None
    )
    return {
        "event": event,
        "created": timezone.now().isoformat(),
        "job": {
            "id": job.pk,
            "url": f"/api/v1/jobs/{job.pk}/",
            "kind": job.kind,
            "status": job.status,
            "format": job.format,
            "threads": job.thread_ids,
            "error": job.error,
            "result": result,
            "created": job.created.isoformat(),
            "finished": job.finished.isoformat() if job.finished else None,
        },
    }


def send(delivery_id: int, countdown: float = 0) -> None:
    from webhooks import tasks

    tasks.deliver.apply_async((delivery_id,), countdown=countdown, queue=settings.CELERY_TASK_DEFAULT_QUEUE)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def delivery_attempt(delivery_id: int) -> None:
    """POST one delivery, once: it is claimed with a conditional update, so a
    repeated message does not call the endpoint twice at the same time."""
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT * 3)
    claimed = Delivery.objects.filter(
        Q(next_attempt__lte=now) | Q(next_attempt__isnull=True),
        pk=delivery_id,
        status=Delivery.Status.PENDING,
        endpoint__active=True,
    ).update(next_attempt=lease, attempts=F("attempts") + 1)
    if not claimed:
        return
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = json.dumps({"id": delivery.pk, **delivery.payload}, separators=(",", ":")).encode()
    started = time.perf_counter()
    code, error = post(endpoint, delivery, body)
    elapsed = round((time.perf_counter() - started) * 1000)
    if code is not None and 200 <= code < 300:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SUCCEEDED, response_status=code, error="", delivered=timezone.now(),
            duration_ms=elapsed, next_attempt=None,
        )  # fmt: skip
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return
    failed_attempt(delivery, code, error, elapsed)


def post(endpoint: Endpoint, delivery: Delivery, body: bytes) -> tuple[int | None, str]:
    host = urlsplit(endpoint.url).hostname or ""
    if not settings.WEBHOOKS_ALLOW_PRIVATE and reaches_private_network(host):
        return None, "the address now resolves to a private network; not called"
    # The scheme was checked to be https (or http where allowed) on save.
    request = urllib.request.Request(  # noqa: S310
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-ThreadNavigator-Event": delivery.event,
            "X-ThreadNavigator-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as answer:
        return answer.code, f"HTTP {answer.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as problem:
        reason = getattr(problem, "reason", problem)
        return None, str(reason)[:300] or problem.__class__.__name__


def failed_attempt(delivery: Delivery, code: int | None, error: str, elapsed: int) -> None:
    attempts = delivery.attempts
    final = attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    wait = settings.WEBHOOK_RETRY_BASE * 2 ** (attempts - 1)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
        response_status=code,
        error=error or f"HTTP {code}",
        duration_ms=elapsed,
        next_attempt=None if final else timezone.now() + datetime.timedelta(seconds=wait),
    )
    endpoint = delivery.endpoint
    Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db()
    if endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER and endpoint.active:
        Endpoint.objects.filter(pk=endpoint.pk).update(
            active=False,
            disabled_reason=f"Disabled after {endpoint.consecutive_failures} failed deliveries in a row "
            f"(last: {error or f'HTTP {code}'}); re-enable it when it answers again.",
        )
        return
    if not final:
        send(delivery.pk, countdown=wait)


def deliveries_reconcile() -> int:
    """Send again pending deliveries whose message was lost."""
    late = timezone.now() - datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT * 3)
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, endpoint__active=True, next_attempt__lt=late
    )
    count = 0
    for delivery_id in due.values_list("pk", flat=True):
        send(delivery_id)
        count += 1
    return count
