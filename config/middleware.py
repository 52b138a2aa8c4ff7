"""Request checks and safety nets that hold for every page and API call."""

from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


class RejectNulCharactersMiddleware:
    """A NUL character in the query string can reach no useful purpose and
    PostgreSQL refuses it in any text: 400 naming the parameter, before any
    view turns it into a query."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                shown = name.replace("\x00", "\\0")
                problem = "must not contain NUL (\\0) characters."
                message = f"{shown}: {problem}"
                if request.path.startswith("/api/"):
                    body = {"message": message, "code": "invalid", "errors": {shown: [problem]}}
                    return JsonResponse(body, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RetryReadsOnLostConnectionMiddleware:
    """A read whose database connection died under it (PostgreSQL restarting,
    a connection killed) runs once more on a new connection, so the caller
    gets its answer instead of a 503. Writes are not run again: a commit
    lost with its connection can't be told from one that never happened,
    so they answer 503 with Retry-After (config.api.api_server_error)."""

    SAFE_METHODS = ("GET", "HEAD")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        match = request.resolver_match
        if (
            request.method not in self.SAFE_METHODS
            or not isinstance(exception, (OperationalError, InterfaceError))
            or getattr(request, "retried_after_lost_connection", False)
            or match is None
            or any(each.in_atomic_block for each in connections.all(initialized_only=True))
        ):
            return None
        lost = False
        for each in connections.all(initialized_only=True):
            was_open = each.connection is not None
            each.close_if_unusable_or_obsolete()
            lost = lost or (was_open and each.connection is None)
        if not lost:  # a timeout or a lock, on a connection still good: not ours to repeat
            return None
        request.retried_after_lost_connection = True  # type: ignore[attr-defined]
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        return response
