"""Render jobs. The database row is the truth about a job; the broker only
carries "look at job N" (or part N), and every step claims the row with a
conditional update before it works, so a message delivered twice, late or
never is harmless: the reconciler re-sends what a lost message left behind."""

import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Kind(models.TextChoices):
        CARDS = "cards"
        THREAD = "thread"
        CAROUSEL = "carousel"
        BULK = "bulk"
        ARCHIVE_IMPORT = "archive_import"  # not an export: an X archive's threads saved (threads/archive)

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Placeholders(models.TextChoices):
        """What an export does with a post's images still to add."""

        KEEP = "keep", "Keep them, as grey boxes"
        DROP = "drop", "Leave them out"

    class WarningCode(models.TextChoices):
        """The kinds of note in `warnings`."""

        IMAGES_TO_ADD = "images_to_add", "Posts with images still to add, exported as grey boxes"
        IMAGES_LEFT_OUT = "images_left_out", "Posts with images still to add, left out of the export"
        FONT_MISSING = "font_missing", "The style's font was deleted from the brand kit; drawn in Inter"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    thread_ids = models.JSONField(default=list, help_text="The threads, in export order.")
    kinds = models.JSONField(default=list, help_text="Bulk exports: what each thread is rendered as.")
    style = models.JSONField(help_text="A frozen copy: editing the preset later never changes the job.")
    preset = models.ForeignKey(
        "threads.StylePreset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arrangement = models.JSONField(
        default=dict, blank=True, help_text="Carousels: posts chosen and ordered, cover title, end line."
    )
    format = models.CharField(max_length=5)
    scale = models.FloatField(default=1)  # one of DRAWN_SCALES: 0.5 … 3
    watermark_forced = models.BooleanField(default=True)
    placeholders = models.CharField(
        max_length=4,
        choices=Placeholders.choices,
        default=Placeholders.KEEP,
        help_text="Images still to add: kept as grey boxes, or left out.",
    )
    warnings = models.JSONField(
        default=list, blank=True, help_text="Notes found as the job was made: posts with images still to add."
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    run_token = models.UUIDField(null=True, blank=True, help_text="The run that owns the job now.")

    result = models.FileField(upload_to="exports/", blank=True, max_length=300)
    result_name = models.CharField(max_length=200, blank=True, help_text="The download's file name.")
    result_size = models.BigIntegerField(null=True, blank=True)

    source = models.FileField(
        upload_to="archives/",
        blank=True,
        max_length=300,
        help_text="Archive imports: the uploaded ZIP, deleted once the job ends.",
    )
    outcome = models.JSONField(
        default=dict,
        blank=True,
        help_text="Archive imports: their options (min_posts) and, once done, the threads made, "
        "updated and unchanged, pictures attached or missing, threads skipped and why.",
    )

    exports_charged = models.PositiveIntegerField(default=0)
    charged_month = models.DateField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    content_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="What the export draws (rendering/dedupe.py): an identical export may reuse this job.",
    )

    fast = models.BooleanField(default=False, help_text="Sent to the fast queue (its owner's plan then).")
    created = models.DateTimeField(auto_now_add=True)
    # When its message was sent; NULL while it waits for its owner's turn
    # (rendering/jobs/dispatch.py).
    enqueued = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    assembling = models.DateTimeField(null=True, blank=True, help_text="Bulk: when the ZIP's assembly began.")

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="job_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created"], name="job_owner_created"),
            models.Index(fields=["status", "heartbeat"], name="job_status_heartbeat"),
            models.Index(fields=["finished"], name="job_finished"),
            models.Index(fields=["owner", "content_fingerprint"], name="job_owner_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.kind}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in self.ACTIVE


class JobPart(models.Model):
    """A run of consecutive threads of a bulk export (`bulk.split`),
    rendered by whichever worker takes it; its files wait in storage until
    the export's ZIP is assembled."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField(help_text="1-based, its first thread's place in the export.")
    thread_ids = models.JSONField(default=list, help_text="Its threads, in the export's order.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_token = models.UUIDField(null=True, blank=True)
    file = models.FileField(upload_to="export-parts/", blank=True, max_length=300)
    index = models.JSONField(
        default=list,
        help_text="Each thread's folder and files (their names, pages, alt text and post positions).",
    )
    error = models.CharField(max_length=500, blank=True)
    enqueued = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="job_part_unique_number")]
        indexes = [models.Index(fields=["job", "status"], name="job_part_status")]

    def __str__(self) -> str:
        return f"part {self.number} of job {self.job_id}"


def new_run_token() -> uuid.UUID:
    return uuid.uuid4()
