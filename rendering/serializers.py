import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api import ObjectField
from rendering.engine.vocabulary import DRAWN_SCALES, KINDS, SCALE_WORDS, scale_value
from rendering.models import Job

DOWNLOAD_SALT = "rendering.job-download"


def download_token(job: Job) -> str:
    return signing.TimestampSigner(salt=DOWNLOAD_SALT).sign(f"{job.pk}:{job.owner_id}")


def download_token_owner(token: str, job_id: int) -> int | None:
    """The user a link was made for, or None when it is not for this job.
    Raises signing.SignatureExpired or signing.BadSignature."""
    value = signing.TimestampSigner(salt=DOWNLOAD_SALT).unsign(token, max_age=settings.JOB_LINK_SECONDS)
    job_part, _, owner_part = value.partition(":")
    if job_part != str(job_id) or not owner_part.isdigit():
        return None
    return int(owner_part)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            {"type": "string", "enum": ["all"]},
        ]
    }
)
class ThreadsField(serializers.JSONField):
    pass


@extend_schema_field({"type": "number", "enum": list(DRAWN_SCALES)})
class ScaleField(serializers.Field):
    """A scale the engine draws at: 1, 2 or 3, or a fraction (0.5, 0.75,
    1.5, 2.5); a whole one reads back as an int (1, not 1.0)."""

    default_error_messages = {"invalid": f"Must be one of {SCALE_WORDS}."}

    def to_internal_value(self, data: Any) -> float:
        try:
            return scale_value(data)
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value: Any) -> float:
        return int(value) if value == int(value) else float(value)


PLACEHOLDERS_HELP = (
    "Images still to add (placeholders): keep them, drawn as grey boxes, or drop them, "
    "the posts drawn with their uploaded images only."
)


class JobWarningSerializer(serializers.Serializer):
    """One note in a job's `warnings`."""

    code = serializers.ChoiceField(choices=Job.WarningCode.choices)
    thread = serializers.IntegerField(
        required=False, help_text="The thread the note is about (notes on images to add)."
    )
    posts = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="The thread's own post positions, from 1 (notes on images to add).",
    )
    font = serializers.CharField(required=False, help_text="font_missing: the family the style names.")
    message = serializers.CharField(help_text="The note in words, for people.")


class JobCreateSerializer(serializers.Serializer):
    """Checks shapes only; the job service checks meaning and names the field."""

    kind = serializers.CharField(help_text="cards, thread, carousel or bulk.")
    thread = serializers.IntegerField(required=False, help_text="The thread (cards, thread, carousel).")
    threads = ThreadsField(
        required=False, help_text='Bulk: a list of thread ids, or "all" (your most recently updated first).'
    )
    kinds = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Bulk: what each thread becomes (default carousel).",
    )
    format = serializers.CharField(help_text="png, jpeg, webp, pdf (carousels) or zip.")
    scale = ScaleField(
        required=False,
        default=1,
        help_text=f"{SCALE_WORDS}: 1, 2 or 3 up to your plan's limit, the fractions always "
        "(a preview at scale s is byte for byte page N of an export at s).",
    )
    preset = serializers.IntegerField(required=False, help_text="A preset id (yours or built-in).")
    style = ObjectField(  # type: ignore[assignment]
        required=False, help_text="An inline style document instead of a preset."
    )
    carousel = ObjectField(
        required=False,
        help_text='Carousels: {"posts": [3, 1, 2] (positions, in order; others hidden), '
        '"title": "cover title", "end_text": "the end slide\'s line"}.',
    )
    placeholders = serializers.ChoiceField(
        choices=Job.Placeholders.choices, default=Job.Placeholders.KEEP, help_text=PLACEHOLDERS_HELP
    )

    def validate_threads(self, value: Any) -> list[int] | str:
        if value == "all":
            return value
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            raise serializers.ValidationError('Must be a list of thread ids or "all".')
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "thread" not in attrs and "threads" not in attrs:
            field = "threads" if attrs.get("kind") == Job.Kind.BULK else "thread"
            raise serializers.ValidationError({field: "This field is required."})
        return attrs


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    queued_ms = serializers.SerializerMethodField(help_text="From creation to the first worker taking it.")
    run_ms = serializers.SerializerMethodField(help_text="From starting to finishing.")
    scale = ScaleField(read_only=True)
    warnings = JobWarningSerializer(
        many=True,
        read_only=True,
        help_text="Found as the job was made: posts it shows that still have images to add "
        "(images_to_add), or whose images still to add it leaves out (images_left_out). Empty when none.",
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "thread_ids",
            "kinds",
            "arrangement",
            "placeholders",
            "warnings",
            "format",
            "scale",
            "preset",
            "style",
            "attempts",
            "error",
            "result",
            "created",
            "started",
            "finished",
            "queued_ms",
            "run_ms",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_progress(self, job: Job) -> dict[str, Any]:
        percent = (
            100 if job.status == Job.Status.SUCCEEDED else (100 * job.done // job.total if job.total else 0)
        )
        return {"done": job.done, "total": job.total, "percent": percent}

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_result(self, job: Job) -> dict[str, Any] | None:
        """An export's file (its signed link), or an archive import's threads."""
        if job.kind == Job.Kind.ARCHIVE_IMPORT:
            return archive_result(job)
        if job.status != Job.Status.SUCCEEDED or not job.result:
            return None
        request = self.context.get("request")
        path = reverse("rendering-api:job-download", args=[job.pk]) + "?token=" + download_token(job)
        expires = timezone.now() + datetime.timedelta(seconds=settings.JOB_LINK_SECONDS)
        return {
            "name": job.result_name,
            "size": job.result_size,
            "download_url": request.build_absolute_uri(path) if request else path,
            "expires": expires.isoformat(),
        }

    @staticmethod
    def _between(start: Any, end: Any) -> int | None:
        return None if start is None or end is None else round((end - start).total_seconds() * 1000)

    def get_queued_ms(self, job: Job) -> int | None:
        return self._between(job.created, job.started)

    def get_run_ms(self, job: Job) -> int | None:
        return self._between(job.started, job.finished)


ARCHIVE_RESULT = ("threads", "created", "updated", "unchanged", "pictures", "pictures_missing", "skipped")


def archive_result(job: Job) -> dict[str, Any] | None:
    """What an archive import made (threads/archive/services.py `Outcome`)."""
    if job.status != Job.Status.SUCCEEDED:
        return None
    return {key: job.outcome[key] for key in ARCHIVE_RESULT if key in job.outcome}


class JobCreatedSerializer(JobSerializer):
    """The answer to creating a job: the job, and whether it was an
    identical export's job answered again (200) instead of a new one (202)."""

    deduplicated = serializers.SerializerMethodField(
        help_text="True when an identical export (same threads' content, style and choices) "
        "succeeded in the last JOB_DEDUPE_SECONDS or is still queued or running: this is its "
        "job, answered with 200, and nothing was charged."
    )

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "deduplicated"]
        read_only_fields = fields

    def get_deduplicated(self, job: Job) -> bool:
        return bool(self.context.get("deduplicated"))


class JobQuoteSerializer(serializers.Serializer):
    """What creating a job with the same body would cost; nothing is made."""

    exports = serializers.IntegerField(
        help_text="What it would charge: 0 when it would answer with an identical export's job."
    )
    used = serializers.IntegerField(help_text="Exports used this month.")
    allowed = serializers.IntegerField(help_text="Exports a month on your plan.")
    left = serializers.IntegerField(help_text="Exports left this month.")
    reuses = serializers.IntegerField(
        allow_null=True, help_text="The job it would answer with instead of a new one, or null."
    )
    message = serializers.CharField(
        help_text="In words, such as: uses 1 of the 47 exports you have left this month."
    )


class PreviewSerializer(serializers.Serializer):
    thread = serializers.IntegerField(required=False, help_text="A stored thread of yours…")
    thread_data = ObjectField(required=False, help_text="…or an inline thread in the JSON import format.")
    kind = serializers.ChoiceField(choices=KINDS, default="cards")
    page = serializers.IntegerField(
        default=1, min_value=1, help_text="Which card or slide, from 1 (the thread image has one)."
    )
    preset = serializers.IntegerField(required=False)
    style = ObjectField(required=False)  # type: ignore[assignment]
    carousel = ObjectField(
        required=False,
        help_text="As for jobs: the carousel arrangement (README); without it, the thread's saved one.",
    )
    placeholders = serializers.ChoiceField(
        choices=Job.Placeholders.choices, default=Job.Placeholders.KEEP, help_text=PLACEHOLDERS_HELP
    )
    format = serializers.ChoiceField(choices=["png", "jpeg", "webp"], default="png")
    scale = ScaleField(
        default=1,
        help_text=f"{SCALE_WORDS}: a fraction draws the page at display size (the pages of 1×, "
        "every length times the scale), byte for byte page N of an export at that scale.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "thread" not in attrs and "thread_data" not in attrs:
            raise serializers.ValidationError({"thread": "Give a thread id or thread_data."})
        if "thread" in attrs:
            attrs.pop("thread_data", None)  # a stored thread wins
        if "preset" in attrs and "style" in attrs:
            raise serializers.ValidationError({"style": "Give a preset or a style, not both."})
        return attrs


class SlidesSerializer(PreviewSerializer):
    page = None  # type: ignore[assignment]  # every page
    format = None  # type: ignore[assignment]
    scale = None  # type: ignore[assignment]  # every scale lays out alike


class SlideSerializer(serializers.Serializer):
    page = serializers.IntegerField(help_text="From 1, as the preview counts them.")
    role = serializers.ChoiceField(choices=["cover", "post", "end", "cards", "thread"])
    posts = serializers.ListField(
        child=serializers.IntegerField(), help_text="Post positions shown (from 1)."
    )
    slide = serializers.IntegerField(
        allow_null=True, help_text="Which of its post's slides this is (from 1), for `slides` edits."
    )
    text = serializers.CharField(help_text="The slide's own words (replaced words if edited).")
    paragraphs = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The post's paragraphs (from 1) that begin on this slide: where a break may go.",
    )
    alt = serializers.CharField()


class SlidesResponseSerializer(serializers.Serializer):
    slides = SlideSerializer(many=True)
