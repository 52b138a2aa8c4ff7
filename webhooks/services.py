"""Webhooks: endpoints, deliveries on finished jobs, signing, retries.

Every delivery is a row first (sent after commit); a task POSTs it, signed
with the endpoint's secret, and on failure schedules the next try with
exponential backoff. Every kind of failure counts the same: a delivery is
tried at most WEBHOOK_MAX_ATTEMPTS times, and an endpoint that keeps failing
is disabled with the reason; re-enabling it starts its count again. Where a
webhook may go, and how it gets there, is webhooks.network's business."""

import datetime
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
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
from rendering.serializers import archive_result
from webhooks import network
from webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ThreadNavigator-Signature"
USER_AGENT = "ThreadNavigator-Webhooks/1"


# --- Endpoints -----------------------------------------------------------------------


MALFORMED = "is not a valid address (check the port, and the [ ] around an IPv6 address)."


def checked_url(url: object) -> str:
    """The address, stripped, once it is well formed and its host resolves
    to addresses webhooks may reach. Anything else, whatever the string, is
    Invalid naming `url`."""
    url = well_formed_url(url)
    try:
        network.checked_addresses(*network.host_and_port(url), allow_private=settings.WEBHOOKS_ALLOW_PRIVATE)
    except (network.Unresolvable, network.Refused) as problem:
        logger.info("webhook address refused: %s", problem)
        # One message for both, so the form does not tell which internal names exist.
        raise Invalid(
            "must be a public address: its host must resolve, and only to public addresses "
            "(not private, local or reserved ones).",
            field="url",
        ) from None
    return url


def well_formed_url(url: object) -> str:
    """The address, stripped, once http.client and the resolver can take it."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid("give the address to call, https://…", field="url")
    url = url.strip()
    if len(url) > 2000:
        raise Invalid("must be at most 2,000 characters.", field="url")
    if not all("!" <= char <= "~" for char in url):
        raise Invalid(
            "must be one address without spaces or control characters; write an international "
            "name as xn--… and %-escape other characters.",
            field="url",
        )
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number from 0 to 65535 raises too
    except ValueError:
        raise Invalid(MALFORMED, field="url") from None
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise Invalid("must be an https:// address.", field="url")
    if "@" in parts.netloc:
        raise Invalid("must not hold a user name or password (user:pass@).", field="url")
    # urlsplit lets "[::1]x" or "host:" through; only host[:port] is taken, and port 0 is none.
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if parts.netloc.lower() != host + (f":{port}" if port is not None else "") or port == 0:
        raise Invalid(MALFORMED, field="url")
    return url


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


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Stop posting to the endpoint; its delivery log goes with it, and a
    delivery already queued finds no row and is not sent."""
    endpoint.delete()


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
    result: dict[str, Any] | None = None
    if job.kind == Job.Kind.ARCHIVE_IMPORT:
        result = archive_result(job)  # the threads it saved, as the job's own answer says
    elif job.status == Job.Status.SUCCEEDED:
        result = {"name": job.result_name, "size": job.result_size}
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


@dataclass(frozen=True)
class Attempt:
    """One POST's outcome: `answer` is all the owner sees, the rest is for
    the server log and the admin."""

    answer: Delivery.Answer
    status: int | None = None
    detail: str = ""
    duration_ms: int = 0


def delivery_attempt(delivery_id: int) -> None:
    """POST one delivery, once: it is claimed with a conditional update, so a
    repeated message does not call the endpoint twice at the same time, and
    no message makes it try more than WEBHOOK_MAX_ATTEMPTS times."""
    started = timezone.now()
    lease = started + datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT * 3)
    claimed = Delivery.objects.filter(
        Q(next_attempt__lte=started) | Q(next_attempt__isnull=True),
        pk=delivery_id,
        status=Delivery.Status.PENDING,
        endpoint__active=True,
        attempts__lt=settings.WEBHOOK_MAX_ATTEMPTS,
    ).update(next_attempt=lease, attempts=F("attempts") + 1)
    if not claimed:
        return
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    attempt = post(delivery)
    if attempt.answer != Delivery.Answer.SUCCESS:
        failed_attempt(delivery, attempt, started=started)
        return
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SUCCEEDED, answer=attempt.answer, response_status=attempt.status, error="",
        duration_ms=attempt.duration_ms, delivered=started, next_attempt=None,
    )  # fmt: skip
    Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)


def post(delivery: Delivery) -> Attempt:
    started = time.perf_counter()
    answer, status, detail = call(delivery)
    return Attempt(answer, status, detail, duration_ms=round((time.perf_counter() - started) * 1000))


def call(delivery: Delivery) -> tuple[Delivery.Answer, int | None, str]:
    """POST the delivery once. Any exception on the way is a failed attempt
    like a 5xx: one that escaped would leave the row to be claimed again."""
    endpoint = delivery.endpoint
    body = json.dumps({"id": delivery.pk, **delivery.payload}, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-ThreadNavigator-Event": delivery.event,
        "X-ThreadNavigator-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body),
    }
    try:
        well_formed_url(endpoint.url)  # the rules may have changed since it was saved
        status = network.post(
            endpoint.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
        )  # fmt: skip
    except (Invalid, network.Refused) as refused:
        return Delivery.Answer.REFUSED, None, f"not called: {refused}"
    except Exception as problem:  # noqa: BLE001 -- every kind of failure is a counted, failed attempt
        return Delivery.Answer.NO_ANSWER, None, f"{type(problem).__name__}: {problem}"
    return Delivery.Answer.for_status(status), status, f"HTTP {status}"


def failed_attempt(delivery: Delivery, attempt: Attempt, *, started: datetime.datetime) -> None:
    final = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    wait = settings.WEBHOOK_RETRY_BASE * 2 ** (delivery.attempts - 1)
    logger.warning(
        "webhook delivery %s to endpoint %s failed (attempt %s): %s",
        delivery.pk, delivery.endpoint_id, delivery.attempts, attempt.detail,
    )  # fmt: skip
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
        answer=attempt.answer,
        response_status=attempt.status,
        error=attempt.detail[:300],
        duration_ms=attempt.duration_ms,
        # From the attempt's start, not its end: the log must not tell how long it took.
        next_attempt=None if final else started + datetime.timedelta(seconds=wait),
    )
    if endpoint_failed(delivery.endpoint, attempt.answer) and not final:
        send(delivery.pk, countdown=wait)


def endpoint_failed(endpoint: Endpoint, answer: str) -> bool:
    """Count one more failure in a row, and disable the endpoint when there
    are WEBHOOK_DISABLE_AFTER of them. True while it stays active."""
    Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures", "active"])
    if endpoint.consecutive_failures < settings.WEBHOOK_DISABLE_AFTER:
        return endpoint.active
    Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False,
        disabled_reason=f"Disabled after {endpoint.consecutive_failures} failed deliveries in a row "
        f"(last: {Delivery.Answer(answer).label}); re-enable it when it answers again.",
    )
    return False


def deliveries_reconcile() -> int:
    """Send again pending deliveries whose message was lost. One whose last
    attempt died before it could record its outcome (a killed worker, a lost
    database) has failed: sending it again would go past the limit."""
    late = timezone.now() - datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT * 3)
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, endpoint__active=True, next_attempt__lt=late
    )
    for delivery in due.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).select_related("endpoint"):
        delivery_abandon(delivery)
    count = 0
    for delivery_id in due.filter(attempts__lt=settings.WEBHOOK_MAX_ATTEMPTS).values_list("pk", flat=True):
        send(delivery_id)
        count += 1
    return count


def delivery_abandon(delivery: Delivery) -> None:
    abandoned = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED,
        answer=Delivery.Answer.NO_ANSWER,
        error="the last attempt did not finish",
        next_attempt=None,
    )
    if abandoned:
        logger.warning("webhook delivery %s abandoned: its last attempt did not finish", delivery.pk)
        endpoint_failed(delivery.endpoint, Delivery.Answer.NO_ANSWER)
