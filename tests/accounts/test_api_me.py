import datetime

import pytest

from accounts.models import MonthlyUsage, Plan, month_start

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me/"


def test_me_shows_plan_limits_and_use_this_month(api, alice):
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=7)
    api.force_authenticate(alice)

    body = api.get(ME).json()

    assert body["email"] == "alice@example.com"
    assert body["plan"]["code"] == "free"
    limits = body["plan"]["limits"]
    free = Plan.objects.get(code="free")
    assert limits["exports_per_month"] == free.exports_per_month
    assert limits["watermark_forced"] is True
    assert {"max_scale", "bulk_max_threads", "api_requests_per_minute"} <= limits.keys()
    assert body["usage"]["exports_used"] == 7
    assert body["usage"]["exports_remaining"] == free.exports_per_month - 7
    assert body["usage"]["resets_at"].endswith("T00:00:00Z")


def test_pro_user_sees_pro_limits(api, alice):
    alice.plan_id = Plan.PRO
    alice.save()
    api.force_authenticate(alice)

    limits = api.get(ME).json()["plan"]["limits"]

    assert limits["watermark_forced"] is False
    assert limits["shows_ads"] is False
    assert limits["max_scale"] == 3


def test_api_rate_comes_from_the_plan(api, alice, password):
    Plan.objects.filter(code="free").update(api_requests_per_minute=3)
    alice.refresh_from_db()
    api.force_authenticate(alice)

    statuses = [api.get(ME).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_last_months_use_does_not_count(api, alice):
    start = month_start()
    previous = (start - datetime.timedelta(days=1)).replace(day=1)
    MonthlyUsage.objects.create(user=alice, month=previous, exports=40)
    api.force_authenticate(alice)

    assert api.get(ME).json()["usage"]["exports_used"] == 0


def test_rate_limits_are_published_on_every_response(api, alice):
    Plan.objects.filter(code="free").update(api_requests_per_minute=3)
    alice.refresh_from_db()
    api.force_authenticate(alice)

    responses = [api.get(ME) for _ in range(4)]

    assert [r["X-RateLimit-Limit"] for r in responses] == ["3"] * 4
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert all(0 < int(r["X-RateLimit-Reset"]) <= 60 for r in responses)
    assert responses[3].status_code == 429
    assert 0 < int(responses[3]["Retry-After"]) <= 60
    assert "X-RateLimit-Limit" not in api.get("/healthz")


def test_the_schema_documents_the_rate_limit_headers(api):
    schema = api.get("/api/v1/schema/?format=json").json()

    assert "X-RateLimit-Remaining" in schema["info"]["description"]
