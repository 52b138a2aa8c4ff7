"""Stripe's webhooks move plans: only signed events, each once, whatever
order they come in."""

import datetime
import time

import pytest
from django.db.models import F
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Plan, User
from accounts.services import email_verify, token_create
from billing import services
from billing.models import Customer, Event
from tests.billing.stripe_events import (
    SECRET,
    WEBHOOK,
    body_of,
    checkout_session,
    event,
    invoice,
    signature,
    subscription,
)

pytestmark = pytest.mark.django_db
DAY = 24 * 3600
ME = "/api/v1/accounts/me/"


@pytest.fixture(autouse=True)
def stripe_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_SECRET_KEY = ""  # no API calls: the events alone decide
    settings.BILLING_GRACE_DAYS = 7


def deliver(api, payload: dict, *, header: str | None = None):
    body = body_of(payload)
    return api.generic(
        "POST",
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header if header is not None else signature(body),
    )


def delivered(api, kind: str, subject: dict, **options) -> str:
    response = deliver(api, event(kind, subject, **options))
    assert response.status_code == 200, response.content
    return str(response.json()["outcome"])


def plan_of(user: User) -> str:
    return str(User.objects.get(pk=user.pk).plan_id)


def upgraded(api, user: User, **options) -> None:
    outcome = delivered(api, "checkout.session.completed", checkout_session(user.pk), **options)
    assert outcome == "checkout completed"


def test_a_signed_checkout_makes_its_user_pro(api, alice):
    email_verify(user=alice)
    _, secret = token_create(user=alice, name="test")
    signed_in = APIClient()
    signed_in.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert signed_in.get(ME).json()["plan"]["code"] == "free"

    upgraded(api, alice)

    assert signed_in.get(ME).json()["plan"]["code"] == "pro"
    customer = Customer.objects.get(user=alice)
    assert (customer.stripe_customer, customer.subscription, customer.status) == (
        "cus_test_1",
        "sub_test_1",
        "active",
    )


@pytest.mark.parametrize(
    "header",
    [
        "t=1,v1=" + "0" * 64,
        "v1=abc",
        "",
        "garbage",
        signature(b"another body"),
        signature(body_of({}), secret="whsec_someone_else"),
    ],
    ids=["zero-mac", "no-time", "empty", "garbage", "another-body", "another-secret"],
)
def test_a_forged_signature_is_a_400_and_changes_nothing(api, alice, header):
    payload = event("checkout.session.completed", checkout_session(alice.pk))

    response = deliver(api, payload, header=header)

    assert response.status_code == 400
    assert "Stripe-Signature" in response.json()["message"]
    assert plan_of(alice) == "free"
    assert not Event.objects.exists()
    assert not Customer.objects.exists()


def test_an_old_signature_is_refused(api, alice):
    payload = event("checkout.session.completed", checkout_session(alice.pk))
    body = body_of(payload)

    response = deliver(api, payload, header=signature(body, at=time.time() - 600))

    assert response.status_code == 400
    assert plan_of(alice) == "free"


def test_a_signed_body_that_is_not_an_event_is_a_400_naming_it(api):
    for body in (
        b"not json",
        b"[]",
        b'{"id": "evt_1"}',
        b'{"id": "e", "type": "t", "created": 1, "data": 3}',
    ):
        response = api.generic(
            "POST", WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature(body)
        )
        assert response.status_code == 400, body
        assert response.json()["message"].startswith("body:")


def test_without_a_webhook_secret_billing_answers_that_it_is_not_set_up(api, alice, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = deliver(api, event("checkout.session.completed", checkout_session(alice.pk)))

    assert response.status_code == 404
    assert "not set up" in response.json()["message"]
    assert plan_of(alice) == "free"


def test_a_replayed_event_changes_nothing(api, alice):
    checkout = event("checkout.session.completed", checkout_session(alice.pk))
    assert deliver(api, checkout).json()["outcome"] == "checkout completed"
    ended = time.time() - 10
    delivered(api, "customer.subscription.deleted", subscription("canceled", period_end=ended))
    assert plan_of(alice) == "free"

    replay = deliver(api, checkout)

    assert replay.status_code == 200
    assert replay.json()["outcome"] == "already applied"
    assert plan_of(alice) == "free"
    assert Event.objects.filter(pk=checkout["id"]).count() == 1


def test_a_renewal_keeps_pro_and_moves_the_period_on(api, alice):
    upgraded(api, alice)
    first_end = time.time() + 30 * DAY
    delivered(api, "customer.subscription.created", subscription("active", period_end=first_end))

    delivered(api, "invoice.paid", invoice())
    delivered(api, "customer.subscription.updated", subscription("active", period_end=first_end + 30 * DAY))

    customer = Customer.objects.get(user=alice)
    assert plan_of(alice) == "pro"
    assert customer.period_end == datetime.datetime.fromtimestamp(int(first_end + 30 * DAY), tz=datetime.UTC)


def test_a_cancel_at_the_periods_end_keeps_pro_until_then(api, alice):
    upgraded(api, alice)
    end = time.time() + 20 * DAY
    delivered(
        api,
        "customer.subscription.updated",
        subscription("active", period_end=end, cancel_at_period_end=True),
    )
    assert plan_of(alice) == "pro"

    # Cancelled at once instead (from the portal): what was paid for lasts.
    delivered(api, "customer.subscription.deleted", subscription("canceled", period_end=end))
    assert plan_of(alice) == "pro"
    assert services.plans_expire() == 0

    Customer.objects.filter(user=alice).update(period_end=timezone.now() - datetime.timedelta(seconds=1))
    assert services.plans_expire() == 1
    assert plan_of(alice) == "free"


def test_a_subscription_ended_at_its_periods_end_returns_its_user_to_free(api, alice):
    upgraded(api, alice)

    delivered(api, "customer.subscription.deleted", subscription("canceled", period_end=time.time() - 1))

    assert plan_of(alice) == "free"


def test_a_failed_payment_gives_a_grace_period_then_recovers(api, alice):
    now = time.time()
    # Stripe's times are whole seconds: the payment (the checkout) made a
    # minute before the failure, not maybe in the failure's second.
    upgraded(api, alice, created=now - 60)
    delivered(
        api, "customer.subscription.updated", subscription("active", period_end=now + DAY), created=now - 60
    )

    failed = delivered(api, "invoice.payment_failed", invoice(), created=now + 1)
    delivered(
        api, "customer.subscription.updated", subscription("past_due", period_end=now + DAY), created=now + 1
    )

    assert failed == "payment failed"
    grace = services.grace_until(Customer.objects.get(user=alice))
    assert grace is not None
    assert abs((grace - timezone.now()).total_seconds() - 7 * DAY) < 60
    assert plan_of(alice) == "pro"

    delivered(api, "invoice.paid", invoice(), created=now + 2)
    delivered(
        api,
        "customer.subscription.updated",
        subscription("active", period_end=now + 30 * DAY),
        created=now + 2,
    )

    assert services.grace_until(Customer.objects.get(user=alice)) is None
    assert services.plans_expire() == 0
    assert plan_of(alice) == "pro"


def test_a_payment_failed_long_ago_and_never_paid_returns_its_user_to_free(api, alice):
    now = time.time()
    assert delivered(api, "checkout.session.completed", checkout_session(alice.pk), created=now - 40 * DAY)

    delivered(api, "invoice.payment_failed", invoice(), created=now - 8 * DAY)

    assert plan_of(alice) == "free"


def test_the_hourly_pass_ends_a_grace_period_that_ran_out(api, alice):
    upgraded(api, alice)
    delivered(api, "invoice.payment_failed", invoice(), created=time.time() + 1)
    assert plan_of(alice) == "pro"
    assert services.plans_expire() == 0

    eight_days = datetime.timedelta(days=8)
    Customer.objects.filter(user=alice).update(
        payment_failed_at=F("payment_failed_at") - eight_days, paid_at=F("paid_at") - eight_days
    )

    assert services.plans_expire() == 1
    assert plan_of(alice) == "free"


def test_a_late_failure_cannot_hide_a_later_payment(api, alice):
    upgraded(api, alice)
    now = time.time()
    delivered(api, "invoice.paid", invoice(), created=now)

    delivered(api, "invoice.payment_failed", invoice(), created=now - 9 * DAY)  # sent long ago, arrives now

    assert services.grace_until(Customer.objects.get(user=alice)) is None
    assert plan_of(alice) == "pro"


def test_events_out_of_order_are_decided_by_stripes_times_not_arrival(api, alice):
    upgraded(api, alice)
    now = time.time()
    ended = subscription("canceled", period_end=now - 5)
    still_active = subscription("active", period_end=now + 30 * DAY)

    delivered(api, "customer.subscription.deleted", ended, created=now)
    outcome = delivered(api, "customer.subscription.updated", still_active, created=now - 60)

    assert outcome == "older than the state held"
    assert plan_of(alice) == "free"
    assert Customer.objects.get(user=alice).status == "canceled"


def test_a_subscription_event_before_its_checkout_finds_the_user_by_metadata(api, alice):
    created = subscription("active", period_end=time.time() + 30 * DAY, user_id=alice.pk)

    delivered(api, "customer.subscription.created", created)
    assert plan_of(alice) == "pro"

    upgraded(api, alice)  # arriving second, it changes nothing of substance
    assert plan_of(alice) == "pro"
    assert Customer.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize("reference", ["999999", "not-a-number", "", "-1", "1e3", "²", "9" * 40])
def test_a_checkout_for_no_user_of_ours_is_recorded_and_ignored(api, alice, reference):
    outcome = delivered(api, "checkout.session.completed", checkout_session(reference))

    assert outcome == "no such user"
    assert not Customer.objects.exists()
    assert plan_of(alice) == "free"


def test_events_for_an_unknown_customer_change_no_one(api, alice):
    upgraded(api, alice)
    stranger = subscription("canceled", period_end=time.time() - 1, customer="cus_stranger", ident="sub_x")

    assert delivered(api, "customer.subscription.deleted", stranger) == "no such customer"
    assert delivered(api, "invoice.payment_failed", invoice(customer="cus_stranger")) == "no such customer"
    assert plan_of(alice) == "pro"


def test_a_plan_the_admin_set_is_outside_billing(api, alice, bob):
    User.objects.filter(pk=bob.pk).update(plan_id=Plan.PRO)
    upgraded(api, alice)
    delivered(api, "customer.subscription.deleted", subscription("canceled", period_end=time.time() - 1))

    services.plans_expire()

    assert plan_of(alice) == "free"
    assert plan_of(bob) == "pro"


def test_an_event_of_another_kind_is_acknowledged_and_ignored(api, alice):
    assert delivered(api, "customer.created", {"id": "cus_test_9", "object": "customer"}) == "ignored"
    assert delivered(
        api, "checkout.session.completed", {**checkout_session(alice.pk), "mode": "payment"}
    ) == ("ignored: not a subscription")
    assert plan_of(alice) == "free"


def test_a_checkout_not_yet_paid_does_not_upgrade(api, alice):
    session = {**checkout_session(alice.pk), "payment_status": "unpaid"}

    assert delivered(api, "checkout.session.completed", session) == "checkout not paid yet"
    assert plan_of(alice) == "free"


def test_downgrading_keeps_what_the_user_made(api, alice):
    from tests.factories import thread_with_posts

    upgraded(api, alice)
    thread = thread_with_posts(alice, "Made while Pro.", title="Kept")

    delivered(api, "customer.subscription.deleted", subscription("canceled", period_end=time.time() - 1))

    assert plan_of(alice) == "free"
    assert alice.threads.filter(pk=thread.pk).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"created": 10**30},
        {"created": "yesterday"},
        {"created": True},
        {"id": "evt_" + "x" * 300},
        {"type": "t" * 200},
        {"data": {"object": []}},
        {"data": []},
    ],
)
def test_a_signed_event_stripe_would_never_send_is_a_400(api, alice, changes):
    payload = {**event("checkout.session.completed", checkout_session(alice.pk)), **changes}

    response = deliver(api, payload)

    assert response.status_code == 400
    assert response.json()["message"].startswith("body:")
    assert plan_of(alice) == "free"


def test_odd_values_inside_a_signed_event_change_no_one_and_break_nothing(api, alice):
    upgraded(api, alice)
    odd = {
        **subscription("canceled", period_end=10**30),
        "status": "s" * 500,
        "customer": "cus_test_1",
        "id": "sub_" + "x" * 400,
        "metadata": "not an object",
        "subscription_details": "neither",
    }

    assert delivered(api, "customer.subscription.updated", odd) == f"subscription {'s' * 32}"
    assert delivered(api, "invoice.paid", {"customer": ["cus_test_1"]}) == "no such customer"
    customer = Customer.objects.get(user=alice)
    assert customer.subscription == "sub_test_1"
    assert plan_of(alice) == "free"


def test_a_checkout_naming_another_users_customer_is_refused(api, alice, bob):
    upgraded(api, alice)

    outcome = delivered(api, "checkout.session.completed", checkout_session(bob.pk, customer="cus_test_1"))

    assert outcome == "customer belongs to another user"
    assert plan_of(bob) == "free"


def test_past_due_without_its_invoice_event_still_ends_pro_after_the_grace(api, alice):
    now = time.time()
    assert delivered(api, "checkout.session.completed", checkout_session(alice.pk), created=now - 40 * DAY)

    delivered(
        api, "customer.subscription.updated", subscription("past_due", period_end=now), created=now - 8 * DAY
    )

    assert plan_of(alice) == "free"
