"""Buying Pro: Stripe Checkout to subscribe, Stripe's customer portal to
manage (card, invoices, cancel). Both only send the user to Stripe: what
they buy there reaches their plan through the signed webhooks
(`billing.services.event_receive`), never through the browser coming back."""

import logging
from collections.abc import Callable

import stripe
from django.conf import settings
from django.db import transaction

from accounts.models import User
from billing.models import Customer
from billing.services import stripe_client
from config.errors import Invalid, NotFound, ServiceError

logger = logging.getLogger(__name__)

# Stripe's subscription statuses that have not ended: a second checkout
# would sell Pro twice, so these go to the portal instead.
LIVE_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid", "incomplete", "paused"})
# Where Stripe serves Checkout and the customer portal: a page whose forms
# lead there allows them in its CSP's form-action (Chromium checks the
# redirect a form's POST answers with, not only the form's action).
STRIPE_PAGES = ("https://checkout.stripe.com", "https://billing.stripe.com")


class StripeUnreachable(ServiceError):
    status_code = 503
    code = "stripe_unreachable"


class StripeRefused(ServiceError):
    status_code = 502
    code = "stripe_refused"


def price_for(interval: str) -> str:
    prices = {"monthly": settings.STRIPE_PRICE_PRO_MONTHLY, "yearly": settings.STRIPE_PRICE_PRO_YEARLY}
    if interval not in prices:
        raise Invalid(f"must be monthly or yearly, not {interval!r}.", field="interval")
    if not prices[interval]:
        raise Invalid(f"Pro is not sold {interval} here (no price is set up for it).", field="interval")
    return str(prices[interval])


def checkout_start(*, user: User, interval: str, success_url: str, cancel_url: str) -> str:
    """The address of a Stripe Checkout page selling Pro at `interval`, or
    of the portal when the user already has a subscription running."""
    client = stripe_client()
    price = price_for(interval)
    customer = customer_ensure(client=client, user=user)
    if customer.status in LIVE_STATUSES:
        return portal_session(client, customer=str(customer.stripe_customer), return_url=cancel_url)
    session = asked(
        lambda: client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": str(customer.stripe_customer),
                "client_reference_id": str(user.pk),
                "line_items": [{"price": price, "quantity": 1}],
                "subscription_data": {"metadata": {"user_id": str(user.pk)}},
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
    )
    return str(session.url)


@transaction.atomic
def customer_ensure(*, client: stripe.StripeClient, user: User) -> Customer:
    """The user's billing row with its Stripe customer, made at Stripe once:
    the row stays locked while Stripe is asked, so a second click waits
    and finds the first one's customer."""
    customer, _ = Customer.objects.select_for_update().get_or_create(user=user)
    if customer.stripe_customer:
        return customer
    made = asked(
        lambda: client.v1.customers.create(
            params={"email": user.email, "metadata": {"user_id": str(user.pk)}}
        )
    )
    customer.stripe_customer = str(made.id)
    customer.save(update_fields=["stripe_customer", "updated"])
    return customer


def portal_start(*, user: User, return_url: str) -> str:
    """The address of the user's Stripe customer portal."""
    client = stripe_client()
    customer = Customer.objects.filter(user=user).exclude(stripe_customer=None).first()
    if customer is None:
        raise NotFound("You have no billing account yet: it is made when you first upgrade to Pro.")
    return portal_session(client, customer=str(customer.stripe_customer), return_url=return_url)


def portal_session(client: stripe.StripeClient, *, customer: str, return_url: str) -> str:
    session = asked(
        lambda: client.v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": return_url}
        )
    )
    return str(session.url)


def asked[T](call: Callable[[], T]) -> T:
    """One call to Stripe, its failures in words (logged with Stripe's own)."""
    try:
        return call()
    except stripe.APIConnectionError as error:
        logger.warning("billing: Stripe unreachable (%s)", error)
        raise StripeUnreachable(
            "Stripe, our payment provider, cannot be reached just now; nothing was charged. "
            "Please try again in a few minutes."
        ) from error
    except stripe.StripeError as error:
        logger.error("billing: Stripe refused a request (%s, request %s)", error, error.request_id)
        raise StripeRefused(
            "Stripe, our payment provider, refused the request; nothing was charged. "
            "Please try again later, or write to us if it keeps happening."
        ) from error
