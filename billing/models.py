"""A user as a Stripe customer, their subscription as Stripe last told us,
and the Stripe events already applied."""

from django.conf import settings
from django.db import models


class Customer(models.Model):
    """One user's billing: their Stripe customer (made once, at their first
    checkout) and the state of their subscription. Every field below
    `subscription` comes from verified events (or Stripe's API), never from
    the browser. A user without a row, or whose row never had a
    subscription, is outside billing: their plan is the admin's to set."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing")
    stripe_customer = models.CharField(max_length=255, unique=True, null=True, blank=True)
    subscription = models.CharField(max_length=255, blank=True, help_text="Stripe's sub_… id.")
    status = models.CharField(max_length=32, blank=True, help_text="Stripe's subscription status.")
    cancel_at_period_end = models.BooleanField(default=False)
    period_end = models.DateTimeField(null=True, blank=True, help_text="Paid up to here.")
    # When Stripe made the state above (the `created` of the event that
    # carried it, or the time it was read from the API): an older event
    # arriving later never overwrites a newer state.
    state_at = models.DateTimeField(null=True, blank=True)
    # A payment failure counts while it is newer than the last sign of
    # good standing (a paid invoice, an active state): then Pro lasts
    # BILLING_GRACE_DAYS from the failure.
    payment_failed_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.status or 'no subscription'})"


class Event(models.Model):
    """A Stripe event, recorded once in the transaction that applied it:
    a replay finds its id here and changes nothing."""

    id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text="When Stripe made it.")
    received = models.DateTimeField(auto_now_add=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    outcome = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
