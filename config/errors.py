"""The small set of exceptions services raise. `config.api.exception_handler`
turns each into an HTTP status and a JSON message; the website shows the
message as it is."""


class ServiceError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ServiceError):
    pass


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    status_code = 409
    code = "conflict"


class QuotaExceeded(ServiceError):
    status_code = 429
    code = "quota_exceeded"


class Forbidden(ServiceError):
    status_code = 403
    code = "forbidden"
