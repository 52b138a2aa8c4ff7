"""What the plan page shows of a user's billing."""

import dataclasses
import datetime

from accounts.models import Plan, User
from billing.checkout import LIVE_STATUSES
from billing.models import Customer
from billing.services import billing_configured, grace_until


@dataclasses.dataclass(frozen=True)
class BillingView:
    can_upgrade: bool  # a Free user without a subscription running
    can_manage: bool  # has a Stripe customer who subscribed: the portal has something to show
    grace_until: datetime.datetime | None  # a payment failed: Pro until then
    pro_until: datetime.datetime | None  # cancelled at the period's end


def billing_view(*, user: User) -> BillingView | None:
    """None where billing is not set up (the admin sets plans)."""
    if not billing_configured():
        return None
    customer = Customer.objects.filter(user=user).first()
    if customer is None:
        return BillingView(
            can_upgrade=user.plan_id == Plan.FREE, can_manage=False, grace_until=None, pro_until=None
        )
    live = customer.status in LIVE_STATUSES
    ending = customer.cancel_at_period_end or customer.status == "canceled"
    return BillingView(
        can_upgrade=user.plan_id == Plan.FREE and not live,
        can_manage=bool(customer.stripe_customer and customer.subscription),
        grace_until=grace_until(customer),
        pro_until=customer.period_end if ending and user.plan_id == Plan.PRO else None,
    )
