"""Thin tasks over webhooks.services."""

from celery import shared_task
from django.conf import settings

from webhooks import services

# An attempt is interrupted (and recorded as failed) before its lease ends;
# a stuck one is killed a little later, and the reconciler settles its row.
DELIVERY_LIMIT = settings.WEBHOOK_TIMEOUT * 3


@shared_task(name="webhooks.deliver", soft_time_limit=DELIVERY_LIMIT, time_limit=DELIVERY_LIMIT + 10)
def deliver(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id)


@shared_task(name="webhooks.reconcile", acks_late=False, soft_time_limit=60, time_limit=90)
def reconcile() -> int:
    return services.deliveries_reconcile()
