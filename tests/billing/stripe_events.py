"""Stripe events as Stripe sends them: the JSON envelope, and the
Stripe-Signature header made as Stripe makes it (t=<unix time>,
v1=<hex HMAC-SHA256 of "<t>.<body>" under the endpoint's secret>)."""

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

SECRET = "whsec_test_thread_navigator"
WEBHOOK = "/api/v1/billing/webhook/"
_ids = itertools.count(1)


def event(kind: str, subject: dict[str, Any], *, created: float | None = None) -> dict[str, Any]:
    number = next(_ids)
    return {
        "id": f"evt_test_{number:06d}_{int(time.time() * 1000)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(created if created is not None else time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": kind,
        "data": {"object": subject},
    }


def signature(body: bytes, *, secret: str = SECRET, at: float | None = None) -> str:
    stamp = int(at if at is not None else time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, indent=2).encode()


def checkout_session(
    user_id: object, *, customer: str = "cus_test_1", subscription: str = "sub_test_1"
) -> dict:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": str(user_id),
        "customer": customer,
        "subscription": subscription,
    }


def subscription(
    status: str,
    *,
    period_end: float,
    customer: str = "cus_test_1",
    ident: str = "sub_test_1",
    cancel_at_period_end: bool = False,
    user_id: object = None,
) -> dict:
    """A subscription as API version 2025-03-31 and later send it: the
    period's end on its items."""
    return {
        "id": ident,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "metadata": {"user_id": str(user_id)} if user_id is not None else {},
        "items": {
            "object": "list",
            "data": [
                {"id": "si_test_1", "object": "subscription_item", "current_period_end": int(period_end)}
            ],
        },
    }


def invoice(*, customer: str = "cus_test_1", subscription_id: str = "sub_test_1") -> dict:
    return {"id": "in_test_1", "object": "invoice", "customer": customer, "subscription": subscription_id}
