"""Reads for accounts, always for one user."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiToken, MonthlyUsage, User, month_start, next_month_start


def tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work (an expired one is refused, and
    deleted when it is next presented)."""
    return ApiToken.objects.filter(user=user).exclude(expiry__lte=timezone.now())


def usage_this_month(*, user: User) -> dict[str, object]:
    start = month_start()
    used = MonthlyUsage.objects.filter(user=user, month=start).values_list("exports", flat=True).first() or 0
    limit = user.plan.exports_per_month
    resets = next_month_start(start)
    return {
        "month": start.strftime("%Y-%m"),
        "exports_used": used,
        "exports_limit": limit,
        "exports_remaining": max(limit - used, 0),
        "resets_at": datetime.datetime(resets.year, resets.month, 1, tzinfo=datetime.UTC),
    }
