"""What every page's layout needs: the announcement and, for the free plan,
an ad (a network's slot when one is configured, else a house ad) and
whether Pro can be bought here."""

import random
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.models import Plan
from billing.services import billing_configured
from frontend.models import Announcement, HouseAd


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    shows_ads = bool(user and user.is_authenticated and user.plan.shows_ads)
    free = bool(user and user.is_authenticated and user.plan_id == Plan.FREE)
    return {
        "announcement": Announcement.objects.filter(enabled=True).first(),
        "shows_ads": shows_ads,
        "ad_network": settings.ADS_NETWORK if shows_ads else None,
        "house_ad": pick_house_ad() if shows_ads and not settings.ADS_NETWORK else None,
        # Where a Free limit is met: a link to buy Pro, if Pro is for sale here.
        "upgrade_offered": free and billing_configured(),
    }


def pick_house_ad() -> HouseAd | None:
    ads = list(HouseAd.objects.filter(active=True, weight__gt=0))
    if not ads:
        return None
    return random.choices(ads, weights=[ad.weight for ad in ads])[0]  # noqa: S311 (not security)
