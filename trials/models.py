"""A visitor's short-lived draft: a pasted thread and a style, designed
before signing up."""

from django.db import models
from django.utils import timezone


class TrialDraft(models.Model):
    """Reached only through the key kept in the visitor's session. Once
    claimed, its thread and style are wiped and only `claimed_thread`
    stays (so a second claim finds the same thread) until it expires."""

    key = models.CharField(max_length=64, unique=True)
    # The documented thread JSON (threads.importers.json_thread), posts' text only.
    thread = models.JSONField(default=dict)
    style = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(db_index=True)
    claimed_thread = models.ForeignKey(
        "threads.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"trial draft {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def post_count(self) -> int:
        return len(self.thread.get("posts", []))

    @property
    def title(self) -> str:
        return str(self.thread.get("title", ""))
