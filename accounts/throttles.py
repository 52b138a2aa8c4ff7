from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle


class PlanRateThrottle(UserRateThrottle):
    """Requests per minute for a signed-in user, from their plan."""

    scope = "plan"

    def __init__(self) -> None:
        # The rate depends on the user, so it is set per request.
        self.rate = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return True
        self.rate = f"{request.user.plan.api_requests_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
