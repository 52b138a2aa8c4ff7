"""Request checks that hold for every page and API call."""

from typing import Any

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
