"""Thin tasks over webhooks.services."""

from celery import shared_task

from webhooks import services


@shared_task(name="webhooks.deliver")
def deliver(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id)


@shared_task(name="webhooks.reconcile", acks_late=False)
def reconcile() -> int:
    return services.deliveries_reconcile()
