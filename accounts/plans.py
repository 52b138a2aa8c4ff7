"""The plans every installation has. A migration made them first; after each
migrate (and each test-database flush) any that are missing are made again.
Rows that exist are never touched: staff tune limits in the admin."""

from typing import Any

DEFAULT_PLANS: list[dict[str, Any]] = [
    {
        "code": "free",
        "name": "Free",
        "price_per_month_cents": 0,
        "exports_per_month": 50,
        "max_scale": 2,
        "watermark_forced": True,
        "bulk_max_threads": 5,
        "api_requests_per_minute": 60,
        "shows_ads": True,
        "max_running_jobs": 2,
        "previews_per_minute": 240,
        "previews_per_day": 2000,
        "fast_export": False,
    },
    {
        "code": "pro",
        "name": "Pro",
        "price_per_month_cents": 900,
        "exports_per_month": 2000,
        "max_scale": 3,
        "watermark_forced": False,
        "bulk_max_threads": 200,
        "api_requests_per_minute": 600,
        "shows_ads": False,
        "max_running_jobs": 8,
        "previews_per_minute": 1200,
        "previews_per_day": 20000,
        "fast_export": True,
    },
]


def plans_ensure(**_: Any) -> None:
    from accounts.models import Plan

    for plan in DEFAULT_PLANS:
        Plan.objects.get_or_create(code=plan["code"], defaults=plan)
