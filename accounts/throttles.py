from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle


class PlanRateThrottle(UserRateThrottle):
    """Requests per minute for a signed-in user, from their plan. What is
    left is published on every response (see RateLimitHeadersMiddleware)."""

    scope = "plan"

    def __init__(self) -> None:
        # The rate depends on the user, so it is set per request.
        self.rate = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return True
        self.rate = f"{request.user.plan.api_requests_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        allowed = super().allow_request(request, view)
        limit, window = self.num_requests or 0, self.duration or 60
        oldest = self.history[-1] if self.history else self.now
        request._request.rate_limit = (  # type: ignore[attr-defined]
            limit,
            max(limit - len(self.history), 0),
            max(int(oldest + window - self.now + 0.999), 0),
        )
        return allowed


class RateLimitHeadersMiddleware:
    """X-RateLimit-Limit (requests a minute on the plan), -Remaining (left in
    the current minute) and -Reset (seconds until one more is free) on
    every API response to a signed-in caller; 429s also carry Retry-After."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        limit = getattr(request, "rate_limit", None)
        if limit is not None:
            for name, value in zip(("Limit", "Remaining", "Reset"), limit, strict=True):
                response[f"X-RateLimit-{name}"] = str(value)
        return response
