"""What every request body and query parameter must be before any view
reads it: JSON of a sane depth whose strings PostgreSQL can store, whole
numbers written in ASCII digits, and a body no larger than the limit.

Each refusal is a 4xx naming the field, never a 500 from deep inside."""

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from config.safe_json import Refused, checked_json


def whole_number(text: str) -> int | None:
    """A whole number written in ASCII digits ('²' and '٣' are digits to
    `str.isdigit`, and not to `int`), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class CheckedJSONParser(JSONParser):
    """DRF's JSON parser with the checks above: a 400 naming the field."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            raw = stream.read() if stream is not None else b""
            return checked_json(raw.decode(encoding))
        except Refused as refused:
            raise exceptions.ValidationError({refused.field: [refused.message]}) from None
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None


@functools.cache
def archive_upload_paths() -> frozenset[str]:
    return frozenset({reverse("threads-api:thread-import-archive"), reverse("frontend:archive-upload")})


# Room for a multipart body's boundaries and small fields around the file.
MULTIPART_ROOM = 64 * 1024


def body_limit(request: HttpRequest) -> int | None:
    """X archives (hundreds of MB, streamed to a temporary file by Django,
    never read into memory) have their own limit; every other body this one."""
    if request.method == "POST" and request.path in archive_upload_paths():
        return settings.ARCHIVE_MAX_BYTES + MULTIPART_ROOM
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodySizeLimitMiddleware:
    """A body larger than Django will read answers 413 with a JSON message
    under /api/ (a short text elsewhere), before any view reads it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        length = whole_number(request.META.get("CONTENT_LENGTH", "") or "0")
        if limit is not None and (length is None or length > limit):
            if length is None:
                return too_large(request, "The Content-Length header must be a whole number.", status=400)
            return too_large(request, f"The request body is larger than {limit:,} bytes.", status=413)
        return self.get_response(request)


def too_large(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"message": message, "code": "too_large" if status == 413 else "invalid"}, status=status
        )
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
