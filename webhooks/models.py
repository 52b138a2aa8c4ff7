"""Webhook endpoints registered by API users, and every delivery to them."""

import secrets

from django.conf import settings
from django.db import models


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    EVENTS = ("job.succeeded", "job.failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Which events it hears; all when empty.")
    secret = models.CharField(
        max_length=80, default=new_secret, help_text="Signs each delivery (HMAC-SHA256)."
    )
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["owner", "active"], name="webhook_owner_active")]

    def __str__(self) -> str:
        return self.url

    def hears(self, event: str) -> bool:
        return not self.events or event in self.events


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    class Answer(models.TextChoices):
        """What the owner sees of an attempt: the class of the HTTP status, or
        why there was none. Exact statuses, error texts and timings would make
        the log a port scanner's oracle; they stay in the server log and admin."""

        SUCCESS = "2xx", "2xx"
        REDIRECT = "3xx", "3xx (redirects are not followed)"
        CLIENT_ERROR = "4xx", "4xx"
        SERVER_ERROR = "5xx", "5xx"
        NO_ANSWER = "no answer", "no answer"
        REFUSED = "refused", "refused (not a public address)"

        @classmethod
        def for_status(cls, status: int) -> "Delivery.Answer":
            return cls(f"{status // 100}xx") if 200 <= status < 600 else cls.NO_ANSWER

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    next_attempt = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    delivered = models.DateTimeField(null=True, blank=True)
    # The last attempt in detail, for the admin and the server log only.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created"], name="delivery_endpoint_created"),
            models.Index(fields=["status", "next_attempt"], name="delivery_status_next"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"
