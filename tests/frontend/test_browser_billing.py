"""Buying Pro in a real browser, against a local stand-in of Stripe's API:
Upgrade leads to Checkout; back on the plan page nothing changes until
Stripe's signed webhook comes, and then the page shows Pro and Manage
billing while a real worker reads the subscription's period from Stripe.
Also the plan page's looks with a failed payment and without billing."""

import datetime
import re
import time
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import MonthlyUsage, Plan, User, month_start
from billing.models import Customer
from tests.billing.stripe_events import WEBHOOK, body_of, checkout_session, event, signature, subscription
from tests.billing.stripe_standin import SECRET_KEY, StripeStandIn, stripe_running
from tests.factories import UserFactory, thread_with_posts
from tests.frontend.test_browser_exports import sign_in
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = "/tmp/billing"  # noqa: S108 (screenshots for people to look at)


@pytest.fixture
def stripe_api(settings) -> Iterator[StripeStandIn]:
    with stripe_running(settings) as standin:
        yield standin


def test_a_free_user_buys_pro(page: Page, live_server, cluster, stripe_api: StripeStandIn, settings):
    cluster(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_API_BASE=stripe_api.url,
        STRIPE_WEBHOOK_SECRET=settings.STRIPE_WEBHOOK_SECRET,
    )
    user = UserFactory(email="buyer@example.com")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/plan/")
    expect(page.get_by_role("heading", name="Your plan: Free")).to_be_visible()
    expect(page.get_by_role("button", name="Manage billing")).to_have_count(0)

    page.get_by_role("button", name="Upgrade to Pro, monthly").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(stripe_api.url)}/checkout/cs_test_\w+$"))
    expect(page.get_by_role("heading", name="Stripe Checkout (test stand-in)")).to_be_visible()
    [session] = stripe_api.sessions.values()
    assert session["client_reference_id"] == str(user.pk)
    assert session["url"] == page.url

    # Stripe sends the browser back before (or after) its webhook: the page waits for it.
    page.goto(session["success_url"])
    expect(page.get_by_text("your upgrade shows here as soon as Stripe confirms it")).to_be_visible()
    expect(page.get_by_role("heading", name="Your plan: Free")).to_be_visible()

    end = int(time.time()) + 31 * 24 * 3600
    stripe_api.subscriptions["sub_test_browser"] = subscription(
        "active", period_end=end, customer=session["customer"], ident="sub_test_browser", user_id=user.pk
    )
    paid = checkout_session(user.pk, customer=session["customer"], subscription="sub_test_browser")
    body = body_of(event("checkout.session.completed", paid))
    answer = page.request.post(
        f"{live_server.url}{WEBHOOK}",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature(body)},
    )
    assert answer.status == 200, answer.text()
    assert answer.json()["outcome"] == "checkout completed"

    page.reload()
    expect(page.get_by_role("heading", name="Your plan: Pro")).to_be_visible()
    expect(page.get_by_text("Thanks — you are on Pro.")).to_be_visible()
    expect(page.get_by_role("button", name="Manage billing")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Upgrade to Pro"))).to_have_count(0)
    page.screenshot(path=f"{SHOTS}-pro.png", full_page=True)

    # A worker asks Stripe for the subscription and records when its period ends.
    wait_for(lambda: Customer.objects.get(user=user).period_end is not None, what="the period from Stripe")
    expected = datetime.datetime.fromtimestamp(end, tz=datetime.UTC)
    assert Customer.objects.get(user=user).period_end == expected
    assert stripe_api.received("GET", "/v1/subscriptions/sub_test_browser")

    page.get_by_role("button", name="Manage billing").click()
    expect(page.get_by_role("heading", name="Stripe customer portal (test stand-in)")).to_be_visible()
    [portal] = stripe_api.received("POST", "/v1/billing_portal/sessions")
    assert portal.params == {"customer": session["customer"], "return_url": f"{live_server.url}/plan/"}
    assert problems == []


@pytest.mark.parametrize("width", [1440, 390])
def test_the_plan_page_with_a_failed_payment(page: Page, live_server, stripe_api: StripeStandIn, width):
    user = UserFactory(email="late@example.com")
    User.objects.filter(pk=user.pk).update(plan_id=Plan.PRO)
    failed = timezone.now() - datetime.timedelta(days=1)
    Customer.objects.create(
        user=user,
        stripe_customer="cus_test_late",
        subscription="sub_test_late",
        status="past_due",
        payment_failed_at=failed,
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/plan/")

    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Your last payment failed. Pro stays until")
    expect(page.get_by_role("button", name="Manage billing")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-failed-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_the_plan_page_of_a_free_user(page: Page, live_server, stripe_api: StripeStandIn, width):
    user = UserFactory(email="free@example.com")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/plan/")

    expect(page.get_by_role("button", name="Upgrade to Pro, monthly")).to_be_visible()
    expect(page.get_by_role("button", name="Upgrade to Pro, yearly")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-free-{width}.png", full_page=True)


def test_the_plan_page_without_billing(page: Page, live_server, settings):
    settings.STRIPE_SECRET_KEY = ""
    user = UserFactory(email="nobilling@example.com")
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/plan/")

    expect(page.get_by_text("Billing is not set up on this site")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Upgrade|Manage billing"))).to_have_count(0)
    page.screenshot(path=f"{SHOTS}-unconfigured.png", full_page=True)


def test_a_used_up_month_offers_pro_beside_the_refusal(page: Page, live_server, stripe_api: StripeStandIn):
    user = UserFactory(email="busy@example.com")
    thread = thread_with_posts(user, "One.", "Two.", title="Busy month")
    MonthlyUsage.objects.create(user=user, month=month_start(), exports=user.plan.exports_per_month)
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/threads/{thread.pk}/")

    page.get_by_role("button", name="Export", exact=True).click()

    expect(page.get_by_text("exports a month and 0 are left")).to_be_visible()
    page.locator(".export").screenshot(path=f"{SHOTS}-quota.png")
    page.get_by_role("link", name="Upgrade to Pro").click()
    expect(page.get_by_role("button", name="Upgrade to Pro, monthly")).to_be_visible()
