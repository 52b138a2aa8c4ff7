from collections.abc import Iterator

import pytest

from tests.billing.stripe_standin import StripeStandIn, stripe_running


@pytest.fixture
def stripe_api(settings) -> Iterator[StripeStandIn]:
    """Billing set up against the local stand-in of Stripe's API."""
    with stripe_running(settings) as standin:
        yield standin
