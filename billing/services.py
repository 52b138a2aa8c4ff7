"""Stripe's webhooks in, plans out.

Only a verified event moves a plan: `event_receive` checks the
Stripe-Signature header with the `stripe` library's own verification
(HMAC-SHA256 of "<t>.<body>" under STRIPE_WEBHOOK_SECRET, at most five
minutes old), records the event's id in the transaction that applies it
(a replay finds it and changes nothing), and applies the payload itself:
Stripe may be asked for the subscription afterwards, but an unreachable
Stripe never blocks or loses an upgrade.

Events come late, twice and out of order. So each one updates the
customer's record of their subscription (`billing.models.Customer`) only
where it is newer than what the record holds (the event's `created`
against the record's `state_at`, `payment_failed_at`, `paid_at`), and the
plan is worked out from the record, never from the event that arrived
last (`plan_due`):

- `active` or `trialing`: Pro;
- a payment failure newer than the last sign of good standing (a paid
  invoice, an active state): Pro for BILLING_GRACE_DAYS from the failure
  (the plan page says so), then Free, unless a payment comes through;
- `canceled`, `unpaid` and other ends: Pro up to the end of the period
  paid for, then Free. A cancellation at the period's end keeps the
  subscription active until Stripe ends it.

Free keeps everything the user made; what is over Free's limits stays
readable. A user whose record never had a subscription is outside
billing: the admin sets their plan. `plans_expire` (beat, every 5 minutes) moves
the users whose period or grace ran out while no event came.
"""

import datetime
import json
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import Plan, User
from billing.models import Customer, Event
from config.celery import app as celery_app
from config.errors import Invalid, ServiceError

logger = logging.getLogger(__name__)

GOOD_STANDING = frozenset({"active", "trialing"})
SUBSCRIPTION_EVENTS = frozenset(
    {"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"}
)
PAID_EVENTS = frozenset({"invoice.paid", "invoice.payment_succeeded"})
SIGNATURE_HEADER = "Stripe-Signature"
REFRESH_TASK = "billing.refresh_subscription"  # registered by billing.tasks
ID_LENGTH, TYPE_LENGTH, STATUS_LENGTH = 255, 100, 32  # as the columns hold them


class NotConfigured(ServiceError):
    """This installation sells nothing: its billing endpoints are not there."""

    status_code = 404
    code = "billing_not_configured"


def billing_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def event_receive(*, payload: bytes, signature: str | None) -> str:
    """Verify and apply one webhook delivery; returns what it did."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise NotConfigured("Billing is not set up: STRIPE_WEBHOOK_SECRET is not set.")
    if not signature:
        raise Invalid("missing.", field=SIGNATURE_HEADER)
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8", "replace"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except stripe.SignatureVerificationError as error:
        raise Invalid(f"{error.user_message or error}.", field=SIGNATURE_HEADER) from error
    try:
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
        if not 0 < len(event_id) <= ID_LENGTH or not 0 < len(event_type) <= TYPE_LENGTH:
            raise ValueError("id or type of a length Stripe never sends")
        created = moment(event["created"])
        if created is None:
            raise ValueError("created is not a time")
        subject = event["data"]["object"]
        if not isinstance(subject, dict):
            raise TypeError("data.object is not an object")
    except (ValueError, KeyError, TypeError) as error:
        raise Invalid(f"not a Stripe event ({error}).", field="body") from error
    return event_apply(event_id=event_id, event_type=event_type, created=created, subject=subject)


def event_apply(
    *, event_id: str, event_type: str, created: datetime.datetime, subject: dict[str, Any]
) -> str:
    """Apply a verified event once."""
    refresh: str | None = None
    with transaction.atomic():
        if Event.objects.select_for_update().filter(pk=event_id).exists():
            return "already applied"
        customer, outcome = customer_changed(event_type, created, subject)
        Event.objects.create(
            id=event_id, type=event_type, created=created, customer=customer, outcome=outcome
        )
        if customer is not None:
            plan_apply(customer)
            if event_type == "checkout.session.completed" and customer.subscription:
                refresh = customer.subscription
    if refresh is not None:
        # Asked by a worker, so the webhook answers at once whatever Stripe
        # does; the upgrade is committed already, so a lost message loses nothing.
        try:
            celery_app.send_task(REFRESH_TASK, kwargs={"subscription_id": refresh})
        except (OperationalError, OSError) as error:
            logger.warning("billing: subscription %s not sent for a refresh (%s)", refresh, error)
    return outcome


def customer_changed(
    event_type: str, created: datetime.datetime, subject: dict[str, Any]
) -> tuple[Customer | None, str]:
    """Fold one event into its customer's record (locked, saved)."""
    if event_type == "checkout.session.completed":
        return checkout_completed(created, subject)
    if event_type in SUBSCRIPTION_EVENTS:
        customer = customer_of(subject)
        if customer is None:
            return None, "no such customer"
        return customer, subscription_state(customer, subject, created)
    if event_type == "invoice.payment_failed" or event_type in PAID_EVENTS:
        customer = customer_of(subject)
        if customer is None:
            return None, "no such customer"
        return customer, payment_recorded(customer, failed=event_type == "invoice.payment_failed", at=created)
    return None, "ignored"


def checkout_completed(created: datetime.datetime, session: dict[str, Any]) -> tuple[Customer | None, str]:
    if session.get("mode") != "subscription":
        return None, "ignored: not a subscription"
    reference = session.get("client_reference_id")
    user = user_of(reference)
    if user is None:
        logger.warning("Stripe checkout %s for no user of ours (%r)", session.get("id"), reference)
        return None, "no such user"
    customer, _ = Customer.objects.select_for_update().get_or_create(user=user)
    stripe_customer = stripe_id(session.get("customer"))
    if stripe_customer and stripe_customer != customer.stripe_customer:
        if Customer.objects.filter(stripe_customer=stripe_customer).exclude(pk=customer.pk).exists():
            logger.warning(
                "Stripe checkout %s: customer %s is another user's", session.get("id"), stripe_customer
            )
            return None, "customer belongs to another user"
        customer.stripe_customer = stripe_customer
    subscription = stripe_id(session.get("subscription"))
    if subscription and subscription != customer.subscription:
        customer.subscription = subscription
    paid = session.get("status") == "complete" and session.get("payment_status") in (
        "paid",
        "no_payment_required",
    )
    if not paid:
        customer.save()
        return customer, "checkout not paid yet"
    if customer.state_at is None or created > customer.state_at:
        # Paid: active until the subscription's own events (or Stripe's
        # API, asked after this commits) say more.
        customer.status, customer.state_at = "active", created
    customer.paid_at = later(customer.paid_at, created)
    customer.save()
    return customer, "checkout completed"


def customer_of(subject: dict[str, Any]) -> Customer | None:
    """The customer an object (subscription, invoice) belongs to: by its
    Stripe customer, or by the user id the checkout put in its metadata."""
    stripe_customer = stripe_id(subject.get("customer"))
    if stripe_customer:
        customer = Customer.objects.select_for_update().filter(stripe_customer=stripe_customer).first()
        if customer is not None:
            return customer
    details = subject.get("subscription_details")
    metadata = (
        subject.get("metadata") or (details.get("metadata") if isinstance(details, dict) else None) or {}
    )
    user = user_of(metadata.get("user_id") if isinstance(metadata, dict) else None)
    if user is None:
        return None
    customer, _ = Customer.objects.select_for_update().get_or_create(user=user)
    if (
        stripe_customer
        and not customer.stripe_customer
        and not Customer.objects.filter(stripe_customer=stripe_customer).exists()
    ):
        customer.stripe_customer = stripe_customer
        customer.save(update_fields=["stripe_customer", "updated"])
    return customer


def user_of(reference: object) -> User | None:
    """The user a checkout names (the id we gave Stripe), if there is one."""
    if (
        not isinstance(reference, str)
        or not (reference.isascii() and reference.isdigit())
        or len(reference) > 18
    ):
        return None
    return User.objects.filter(pk=int(reference)).first()


def subscription_state(customer: Customer, subscription: dict[str, Any], at: datetime.datetime) -> str:
    """Record a subscription's state as of `at`, unless the record holds a newer one."""
    if customer.state_at is not None and at < customer.state_at:
        return "older than the state held"
    customer.subscription = stripe_id(subscription.get("id")) or customer.subscription
    customer.status = str(subscription.get("status") or "")[:STATUS_LENGTH]
    customer.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    customer.period_end = period_end(subscription) or customer.period_end
    customer.state_at = at
    if customer.status in GOOD_STANDING:
        customer.paid_at = later(customer.paid_at, at)
    customer.save()
    return f"subscription {customer.status}"


def period_end(subscription: dict[str, Any]) -> datetime.datetime | None:
    """The end of the period paid for: on the subscription in Stripe's
    older API versions, on each of its items since 2025-03-31."""
    ends = [subscription.get("current_period_end")]
    items = subscription.get("items")
    if isinstance(items, dict):
        ends += [item.get("current_period_end") for item in items.get("data") or [] if isinstance(item, dict)]
    stamps = [stamp for stamp in map(moment, ends) if stamp is not None]
    return max(stamps) if stamps else None


def moment(value: object) -> datetime.datetime | None:
    """A Stripe time (whole seconds since 1970), or None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        return None


def stripe_id(value: object) -> str:
    """An id from an event (cus_…, sub_…), or "" for anything that is not one."""
    return value if isinstance(value, str) and len(value) <= ID_LENGTH else ""


def payment_recorded(customer: Customer, *, failed: bool, at: datetime.datetime) -> str:
    if failed:
        customer.payment_failed_at = later(customer.payment_failed_at, at)
    else:
        customer.paid_at = later(customer.paid_at, at)
    customer.save()
    return "payment failed" if failed else "payment received"


def later(held: datetime.datetime | None, new: datetime.datetime) -> datetime.datetime:
    return new if held is None or new > held else held


def grace_until(customer: Customer) -> datetime.datetime | None:
    """While a payment failure counts, when Pro ends if no payment comes. A
    subscription Stripe calls `past_due` has failed a payment even if the
    invoice's own event never came."""
    failures = [customer.payment_failed_at]
    if customer.status == "past_due":
        failures.append(customer.state_at)
    failed = max((at for at in failures if at is not None), default=None)
    if failed is None or (customer.paid_at is not None and customer.paid_at >= failed):
        return None
    return failed + datetime.timedelta(days=settings.BILLING_GRACE_DAYS)


def plan_due(customer: Customer, now: datetime.datetime) -> str | None:
    """The plan the record entitles its user to at `now`; None outside billing."""
    if not customer.subscription and not customer.status:
        return None
    grace = grace_until(customer)
    if grace is not None and now >= grace:
        return Plan.FREE
    if customer.status in GOOD_STANDING or customer.status == "past_due":
        return Plan.PRO
    if customer.period_end is not None and now < customer.period_end:
        return Plan.PRO  # ended or unpaid: what was paid for lasts to its end
    return Plan.FREE


def plan_apply(customer: Customer) -> None:
    due = plan_due(customer, timezone.now())
    if due is not None and customer.user.plan_id != due:
        logger.info("billing: %s moves from %s to %s", customer.user, customer.user.plan_id, due)
        User.objects.filter(pk=customer.user_id).update(plan_id=due)
        customer.user.plan_id = due


def plans_expire() -> int:
    """Move users whose paid period or grace ran out without an event; returns how many moved."""
    moved = 0
    candidates = Customer.objects.exclude(subscription="", status="").filter(user__plan_id=Plan.PRO)
    for customer_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            customer = Customer.objects.select_for_update().select_related("user").get(pk=customer_id)
            before = customer.user.plan_id
            plan_apply(customer)
            moved += customer.user.plan_id != before
    return moved


def stripe_client() -> stripe.StripeClient:
    if not billing_configured():
        raise NotConfigured("Billing is not set up: STRIPE_SECRET_KEY is not set.")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
        max_network_retries=1,
    )


def subscription_refresh(*, subscription_id: str) -> str:
    """Read the subscription from Stripe and record it as of now (after a
    checkout, whose event says it was paid but not until when). Stripe
    unreachable: the record keeps what the event said."""
    if not billing_configured():
        return "not configured"
    try:
        subscription = stripe_client().v1.subscriptions.retrieve(subscription_id)
    except stripe.StripeError as error:
        logger.warning("billing: subscription %s not read from Stripe (%s)", subscription_id, error)
        return "stripe unreachable"
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update()
            .select_related("user")
            .filter(subscription=subscription_id)
            .first()
        )
        if customer is None:
            return "no such customer"
        outcome = subscription_state(customer, subscription.to_dict(), timezone.now())
        plan_apply(customer)
    return outcome
