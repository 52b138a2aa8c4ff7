"""Reads of webhook endpoints and their deliveries, always for one user."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from webhooks.models import Delivery, Endpoint


def endpoints_of(*, user: User) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(owner=user)


def endpoints_with_deliveries(*, user: User) -> QuerySet[Endpoint]:
    """The user's endpoints, each with its deliveries newest first in
    `all_deliveries` (two queries in all)."""
    deliveries = Delivery.objects.order_by("-created", "-id")
    return endpoints_of(user=user).prefetch_related(
        Prefetch("deliveries", queryset=deliveries, to_attr="all_deliveries")
    )
