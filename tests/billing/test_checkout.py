"""Buying Pro: Checkout and the portal against a local stand-in of
Stripe's API, and the plan page's buttons."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import MonthlyUsage, Plan, User, month_start
from billing import checkout, services
from billing.models import Customer
from config.errors import Invalid, NotFound
from tests.billing.stripe_events import subscription
from tests.billing.stripe_standin import PRICE_MONTHLY, PRICE_YEARLY, StripeStandIn
from tests.factories import UserFactory, thread_with_posts

pytestmark = pytest.mark.django_db
DONE = "http://testserver/plan/?checkout=done"
BACK = "http://testserver/plan/"


def start(user: User, interval: str = "monthly") -> str:
    return checkout.checkout_start(user=user, interval=interval, success_url=DONE, cancel_url=BACK)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def subscribed(user: User, *, status: str = "active", **fields: object) -> Customer:
    customer, _ = Customer.objects.update_or_create(
        user=user,
        defaults={
            "stripe_customer": f"cus_test_of_{user.pk}",
            "subscription": "sub_test_1",
            "status": status,
            **fields,
        },
    )
    User.objects.filter(pk=user.pk).update(plan_id=Plan.PRO)
    return customer


def test_checkout_makes_the_stripe_customer_once_and_reuses_it(stripe_api: StripeStandIn, alice):
    first = start(alice, "monthly")
    second = start(alice, "yearly")

    made = stripe_api.received("POST", "/v1/customers")
    assert len(made) == 1
    assert made[0].params == {"email": alice.email, "metadata[user_id]": str(alice.pk)}
    stripe_customer = Customer.objects.get(user=alice).stripe_customer
    assert str(stripe_customer).startswith("cus_test_")

    sessions = stripe_api.received("POST", "/v1/checkout/sessions")
    assert [session.params["customer"] for session in sessions] == [stripe_customer, stripe_customer]
    assert [session.params["line_items[0][price]"] for session in sessions] == [PRICE_MONTHLY, PRICE_YEARLY]
    assert sessions[0].params == {
        "mode": "subscription",
        "customer": stripe_customer,
        "client_reference_id": str(alice.pk),
        "line_items[0][price]": PRICE_MONTHLY,
        "line_items[0][quantity]": "1",
        "subscription_data[metadata][user_id]": str(alice.pk),
        "success_url": DONE,
        "cancel_url": BACK,
    }
    ids = list(stripe_api.sessions)
    assert (first, second) == (stripe_api.sessions[ids[0]]["url"], stripe_api.sessions[ids[1]]["url"])
    assert first.startswith(f"{stripe_api.url}/checkout/cs_test_")


def test_each_user_gets_their_own_stripe_customer(stripe_api: StripeStandIn, alice, bob):
    start(alice)
    start(bob)

    made = stripe_api.received("POST", "/v1/customers")
    assert [got.params["email"] for got in made] == [alice.email, bob.email]
    sessions = stripe_api.received("POST", "/v1/checkout/sessions")
    assert [got.params["client_reference_id"] for got in sessions] == [str(alice.pk), str(bob.pk)]
    assert Customer.objects.get(user=alice).stripe_customer != Customer.objects.get(user=bob).stripe_customer


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_one_stripe_customer(stripe_api: StripeStandIn, alice):
    ready = threading.Barrier(2)
    urls: list[str] = []

    def click() -> None:
        try:
            ready.wait()
            urls.append(start(User.objects.get(pk=alice.pk)))
        finally:
            connection.close()

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for one in clicks:
        one.start()
    for one in clicks:
        one.join()

    assert len(urls) == 2
    assert len(stripe_api.received("POST", "/v1/customers")) == 1
    customers = {got.params["customer"] for got in stripe_api.received("POST", "/v1/checkout/sessions")}
    assert customers == {Customer.objects.get(user=alice).stripe_customer}


def test_an_unknown_interval_is_refused_by_name(stripe_api: StripeStandIn, alice):
    with pytest.raises(Invalid) as refused:
        start(alice, "weekly")

    assert (refused.value.status_code, refused.value.field) == (400, "interval")
    assert "'weekly'" in refused.value.message
    assert stripe_api.requests == []
    assert not Customer.objects.filter(user=alice).exists()


def test_an_interval_without_a_price_is_refused_by_name(stripe_api: StripeStandIn, settings, alice):
    settings.STRIPE_PRICE_PRO_YEARLY = ""

    with pytest.raises(Invalid) as refused:
        start(alice, "yearly")

    assert refused.value.field == "interval"
    assert "yearly" in refused.value.message
    assert stripe_api.requests == []


def test_stripe_down_is_a_503_in_words(stripe_api: StripeStandIn, alice):
    stripe_api.stop()

    with pytest.raises(checkout.StripeUnreachable) as refused:
        start(alice)

    assert refused.value.status_code == 503
    assert "cannot be reached" in refused.value.message
    assert "nothing was charged" in refused.value.message
    assert not Customer.objects.filter(user=alice).exists()  # rolled back: the next try makes it


def test_stripe_refusing_is_a_502_in_words(stripe_api: StripeStandIn, settings, alice):
    settings.STRIPE_SECRET_KEY = "sk_test_revoked"

    with pytest.raises(checkout.StripeRefused) as refused:
        start(alice)

    assert refused.value.status_code == 502
    assert "refused" in refused.value.message
    assert len(stripe_api.received("POST", "/v1/customers")) == 1


def test_a_subscriber_is_sent_to_the_portal_not_sold_pro_twice(stripe_api: StripeStandIn, alice):
    customer = subscribed(alice)

    url = start(alice)

    assert url.startswith(f"{stripe_api.url}/portal/bps_test_")
    assert stripe_api.received("POST", "/v1/checkout/sessions") == []
    assert stripe_api.received("POST", "/v1/customers") == []
    portal = stripe_api.received("POST", "/v1/billing_portal/sessions")
    assert [got.params for got in portal] == [{"customer": customer.stripe_customer, "return_url": BACK}]


def test_a_cancelled_subscriber_can_buy_again(stripe_api: StripeStandIn, alice):
    subscribed(alice, status="canceled")

    assert start(alice).startswith(f"{stripe_api.url}/checkout/")


def test_the_portal_opens_for_the_users_own_customer(stripe_api: StripeStandIn, alice, bob):
    subscribed(alice)
    subscribed(bob)

    url = checkout.portal_start(user=bob, return_url=BACK)

    assert url.startswith(f"{stripe_api.url}/portal/")
    [got] = stripe_api.received("POST", "/v1/billing_portal/sessions")
    assert got.params["customer"] == f"cus_test_of_{bob.pk}"


def test_the_portal_without_a_stripe_customer_is_refused_in_words(stripe_api: StripeStandIn, alice):
    Customer.objects.create(user=alice)

    with pytest.raises(NotFound) as refused:
        checkout.portal_start(user=alice, return_url=BACK)

    assert refused.value.status_code == 404
    assert "first upgrade" in refused.value.message
    assert stripe_api.requests == []


def test_without_a_secret_key_nothing_is_sold(settings, alice):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(services.NotConfigured):
        start(alice)
    with pytest.raises(services.NotConfigured):
        checkout.portal_start(user=alice, return_url=BACK)


def test_a_refresh_records_the_subscriptions_period_end(stripe_api: StripeStandIn, alice):
    customer = Customer.objects.create(
        user=alice, stripe_customer="cus_test_1", subscription="sub_test_1", status="active"
    )
    end = int(time.time()) + 30 * 24 * 3600
    stripe_api.subscriptions["sub_test_1"] = subscription("active", period_end=end)

    assert services.subscription_refresh(subscription_id="sub_test_1") == "subscription active"

    customer.refresh_from_db()
    assert customer.period_end == datetime.datetime.fromtimestamp(end, tz=datetime.UTC)
    assert [got.path for got in stripe_api.requests] == ["/v1/subscriptions/sub_test_1"]
    assert User.objects.get(pk=alice.pk).plan_id == Plan.PRO


def test_a_refresh_with_stripe_down_keeps_the_record(stripe_api: StripeStandIn, alice):
    Customer.objects.create(
        user=alice, stripe_customer="cus_test_1", subscription="sub_test_1", status="active"
    )
    stripe_api.stop()

    assert services.subscription_refresh(subscription_id="sub_test_1") == "stripe unreachable"
    assert Customer.objects.get(user=alice).status == "active"


# --- The website --------------------------------------------------------------


def test_upgrade_redirects_to_checkout_with_a_303(stripe_api: StripeStandIn, alice):
    response = signed_in(alice).post("/billing/checkout/", {"interval": "yearly"})

    assert response.status_code == 303
    assert response["Location"].startswith(f"{stripe_api.url}/checkout/cs_test_")
    [got] = stripe_api.received("POST", "/v1/checkout/sessions")
    assert got.params["success_url"] == DONE
    assert got.params["line_items[0][price]"] == PRICE_YEARLY


def test_upgrade_needs_the_csrf_token(stripe_api: StripeStandIn, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post("/billing/checkout/", {"interval": "monthly"}).status_code == 403
    assert stripe_api.requests == []


def test_upgrade_with_stripe_down_says_so_on_the_plan_page(stripe_api: StripeStandIn, alice):
    stripe_api.stop()

    response = signed_in(alice).post("/billing/checkout/", {"interval": "monthly"}, follow=True)

    assert response.redirect_chain == [("/plan/", 302)]
    assert "cannot be reached just now; nothing was charged" in response.content.decode()


def test_upgrade_with_an_unknown_interval_names_it(stripe_api: StripeStandIn, alice):
    response = signed_in(alice).post("/billing/checkout/", {"interval": "weekly"}, follow=True)

    assert "Billing period must be monthly or yearly, not &#x27;weekly&#x27;." in response.content.decode()
    assert stripe_api.requests == []


def test_manage_billing_goes_to_the_portal(stripe_api: StripeStandIn, alice):
    subscribed(alice)

    response = signed_in(alice).post("/billing/portal/")

    assert response.status_code == 303
    assert response["Location"].startswith(f"{stripe_api.url}/portal/")


def test_manage_billing_without_a_customer_says_why(stripe_api: StripeStandIn, alice):
    response = signed_in(alice).post("/billing/portal/", follow=True)

    assert "You have no billing account yet" in response.content.decode()
    assert stripe_api.requests == []


def test_the_plan_page_without_billing_says_so_and_sells_nothing(settings, alice):
    settings.STRIPE_SECRET_KEY = ""
    client = signed_in(alice)

    page = client.get("/plan/").content.decode()

    assert "Billing is not set up on this site" in page
    assert "Upgrade to Pro" not in page
    assert "Manage billing" not in page
    assert client.post("/billing/checkout/", {"interval": "monthly"}).status_code == 404
    assert client.post("/billing/portal/").status_code == 404


def test_the_plan_page_offers_a_free_user_both_intervals(stripe_api: StripeStandIn, alice):
    page = signed_in(alice).get("/plan/").content.decode()

    assert 'name="interval" value="monthly">Upgrade to Pro, monthly</button>' in page
    assert 'name="interval" value="yearly"' in page
    assert "Manage billing</button>" not in page
    assert "Billing is not set up" not in page


def test_the_plan_page_offers_a_subscriber_manage_billing_only(stripe_api: StripeStandIn, alice):
    subscribed(alice)

    page = signed_in(alice).get("/plan/").content.decode()

    assert "Manage billing</button>" in page
    assert "Upgrade to Pro" not in page


def test_the_plan_page_tells_of_a_failed_payment(stripe_api: StripeStandIn, settings, alice):
    failed = timezone.now() - datetime.timedelta(days=2)
    subscribed(alice, status="past_due", payment_failed_at=failed)

    page = signed_in(alice).get("/plan/").content.decode()

    until = failed + datetime.timedelta(days=settings.BILLING_GRACE_DAYS)
    assert f"Your last payment failed. Pro stays until {until:%-d %B %Y}; update your card" in page


def test_the_plan_page_tells_of_a_cancellation_at_the_period_end(stripe_api: StripeStandIn, alice):
    end = timezone.now() + datetime.timedelta(days=10)
    subscribed(alice, cancel_at_period_end=True, period_end=end)

    page = signed_in(alice).get("/plan/").content.decode()

    assert f"Pro until {end:%-d %B %Y}" in page


def test_back_from_checkout_the_plan_page_waits_for_stripe(stripe_api: StripeStandIn, alice):
    page = signed_in(alice).get("/plan/?checkout=done").content.decode()

    assert "your upgrade shows here as soon as Stripe confirms it" in page
    assert User.objects.get(pk=alice.pk).plan_id == Plan.FREE  # the webhook upgrades, not this


def test_a_free_limit_offers_pro_where_it_is_sold(stripe_api: StripeStandIn, settings, alice):
    thread = thread_with_posts(alice, "One.", "Two.")
    client = signed_in(alice)
    too_large = {"kind": "carousel", "format": "pdf", "scale": "3"}

    assert "Upgrade to Pro" in client.post(f"/threads/{thread.pk}/export/", too_large).content.decode()

    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=alice.plan.exports_per_month)
    over = client.post(f"/threads/{thread.pk}/export/", {**too_large, "scale": "1"}).content.decode()
    assert "exports a month" in over
    assert "Upgrade to Pro" in over

    settings.STRIPE_SECRET_KEY = ""
    assert "Upgrade to Pro" not in client.post(f"/threads/{thread.pk}/export/", too_large).content.decode()


def test_a_pro_user_is_not_offered_pro(stripe_api: StripeStandIn, alice):
    User.objects.filter(pk=alice.pk).update(plan_id=Plan.PRO)
    page = signed_in(UserFactory(email="other@example.com")).get("/exports/").content.decode()
    assert "Upgrade to Pro" in page  # a Free user's bulk limit

    assert "Upgrade to Pro" not in signed_in(User.objects.get(pk=alice.pk)).get("/exports/").content.decode()


def test_the_plan_pages_forms_may_lead_to_stripe(stripe_api: StripeStandIn, settings, alice):
    client = signed_in(alice)

    policy = client.get("/plan/")["Content-Security-Policy"]
    assert "form-action 'self'" in policy
    assert "https://checkout.stripe.com https://billing.stripe.com" in policy
    assert "checkout.stripe.com" not in client.get("/exports/")["Content-Security-Policy"]

    settings.STRIPE_SECRET_KEY = ""
    assert "checkout.stripe.com" not in client.get("/plan/")["Content-Security-Policy"]


def test_the_editor_offers_pro_beside_the_forced_watermark(stripe_api: StripeStandIn, settings, alice):
    thread = thread_with_posts(alice, "One.")
    client = signed_in(alice)

    help_text = 'The free plan always shows it. <a href="/plan/" class="upgrade-link">Upgrade to Pro</a>'
    assert help_text in client.get(f"/threads/{thread.pk}/editor/").content.decode()
    settings.STRIPE_SECRET_KEY = ""
    assert "Upgrade to Pro" not in client.get(f"/threads/{thread.pk}/editor/").content.decode()
