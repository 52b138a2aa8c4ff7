"""What every API view shares: the error format and pagination.

Every error answers JSON of one shape, with a message a person can read that
names the field at fault:

    {"message": "email: Enter a valid email address.",
     "code": "invalid",
     "errors": {"email": ["Enter a valid email address."]}}
"""

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ServiceError
from config.inputs import whole_number


class ErrorSerializer(serializers.Serializer):
    """The error body, for the OpenAPI document. Declared through get_fields
    because a field called `errors` would hide Serializer.errors."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "message": serializers.CharField(help_text="What went wrong, naming the field at fault."),
            "code": serializers.CharField(),
            "errors": serializers.DictField(
                child=serializers.JSONField(),
                required=False,
                help_text="Messages per field, for forms (lists of strings, nested for nested fields).",
            ),
        }


ERROR_RESPONSES = dict.fromkeys((400, 401, 403, 404, 429), ErrorSerializer)


class Pagination(pagination.PageNumberPagination):
    """Pages of 20 (`page_size` up to 100); a page or size that is not a
    whole number in range is a 400 naming it, not a silent default."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        for name, top in (("page", None), ("page_size", self.max_page_size)):
            values = request.query_params.getlist(name)
            if not values:
                continue
            number = whole_number(values[-1])
            if len(values) > 1 or number is None or number < 1 or (top and number > top):
                limit = f" from 1 to {top}" if top else " from 1"
                raise exceptions.ValidationError({name: [f"Must be one whole number{limit}."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


@extend_schema_field({"type": "object", "additionalProperties": True})
class ObjectField(serializers.JSONField):
    """A JSON object (a style document, a carousel arrangement)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": True}]})
class TextOrObjectField(serializers.JSONField):
    """A string, or a JSON object (a thread given inline)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str | dict):
            raise serializers.ValidationError("Must be a string or a JSON object.")
        return data


def flatten_errors(detail: Any, prefix: str = "") -> list[str]:
    """Turn DRF's nested error detail into "field: message" lines."""
    if isinstance(detail, dict):
        lines = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            lines.extend(flatten_errors(value, path))
        return lines
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [f"{prefix}: {item}" if prefix else str(item) for item in detail]
        lines = []
        for index, item in enumerate(detail):
            if item:
                lines.extend(flatten_errors(item, f"{prefix}[{index}]"))
        return lines
    return [f"{prefix}: {detail}" if prefix else str(detail)]


@csrf_exempt
def api_not_found(request: Any, exception: Exception | None = None) -> Any:
    """Unknown addresses under /api/ answer JSON like every other API error."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"message": "No such address in the API.", "code": "not_found"}, status=404)
    return page_not_found(request, exception or Http404())


def csrf_failure(request: Any, reason: str = "") -> Any:
    """A refused CSRF check: JSON under /api/, Django's page elsewhere."""
    from django.http import JsonResponse
    from django.views.csrf import csrf_failure as page

    if request.path.startswith("/api/"):
        message = "CSRF check failed: send the X-CSRFToken header with a session, or use an API token."
        return JsonResponse({"message": message, "code": "csrf_failed"}, status=403)
    return page(request, reason)


def api_server_error(request: Any) -> Any:
    """Django's last resort for an uncaught error. A lost database connection
    (PostgreSQL restarting, a connection killed) is not a bug: 503 with
    Retry-After, JSON under /api/, a short page elsewhere."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, JsonResponse
    from django.views.defaults import server_error

    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        message = "The service is briefly unavailable; please try again in a few seconds."
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"message": message, "code": "unavailable"}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"message": "Something went wrong on our side; it was logged.", "code": "error"}, status=500
        )
    return server_error(request)


def error_response(message: str, *, code: str, status_code: int, errors: Any = None) -> Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        field_errors = {exc.field: [exc.message]} if exc.field else None
        message = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return error_response(message, code=exc.code, status_code=exc.status_code, errors=field_errors)
    if isinstance(exc, RequestDataTooBig):
        return error_response("The request body is too large.", code="too_large", status_code=413)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = exc.get_codes() if not isinstance(exc, exceptions.ValidationError) else "invalid"
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = "; ".join(flatten_errors(exc.detail)) or "Invalid input."
        response.data = {"message": message, "code": "invalid", "errors": errors}
        return response
    if isinstance(exc, exceptions.ParseError):
        response.data = {"message": f"Malformed request body: {exc.detail}", "code": "parse_error"}
        return response
    response.data = {"message": str(exc.detail), "code": code if isinstance(code, str) else "error"}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        response.data["retry_after"] = int(wait)
    return response


__all__ = [
    "ERROR_RESPONSES",
    "ErrorSerializer",
    "Pagination",
    "error_response",
    "exception_handler",
    "flatten_errors",
]
