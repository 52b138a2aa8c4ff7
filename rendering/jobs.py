"""Render jobs: create, run, cancel, reconcile, clean up.

Every step that changes a job claims its row with a conditional UPDATE first
(status, run token, heartbeat), so two deliveries of one message, a late
delivery after the reconciler re-sent it, or a worker killed mid-job can
never give two results: the run that no longer owns the row throws its
file away. Tasks in `rendering.tasks` only call these functions."""

import contextlib
import datetime
import enum
import errno
import hashlib
import io
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import redis
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from accounts.models import MonthlyUsage, User, month_start, next_month_start
from brand.selectors import brand_files, font_families, missing_font
from config.celery import app as celery_app
from config.errors import Conflict, Invalid, NotFound, QuotaExceeded
from config.redis_client import redis_client
from rendering import adapters, dedupe
from rendering.engine import outputs, renderer
from rendering.engine.vocabulary import IMAGE_FORMATS, KIND_FORMATS, KINDS, SCALE_WORDS, scale_value
from rendering.models import Job, JobPart
from rendering.signals import job_finished
from threads.arrangement import engine_arrangement, paragraph_counts
from threads.arrangement import fitted as arrangement_fitted
from threads.arrangement import validate as arrangement_validate
from threads.models import Post, PostImage, StylePreset, Thread
from threads.selectors import presets_visible_to, thread_details, threads_of
from threads.style import default_style, style_validate

logger = logging.getLogger(__name__)

# A bulk export puts each thread's files in its own folder: images, or a
# carousel's PDF.
BULK_FORMATS = (*IMAGE_FORMATS, "pdf")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class Stopped(Exception):
    """The job was cancelled or taken over by another run while rendering."""


class StorageFull(Exception):
    """There was no room to store a file; what was partly written is gone."""


# A lost or killed database connection: the task is retried, not failed.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
STORAGE_FULL = "there was no room left to store the export; nothing was charged. Please try again later."


# --- Creating ------------------------------------------------------------------


@dataclass(frozen=True)
class JobRequest:
    kind: str
    threads: Sequence[int] | str  # ids, or "all" (bulk)
    format: str
    scale: float = 1
    kinds: Sequence[str] = ()
    preset: int | None = None
    style: dict[str, Any] | None = None
    carousel: dict[str, Any] | None = None
    placeholders: str = Job.Placeholders.KEEP

    def fingerprint(self) -> str:
        body = {
            "kind": self.kind,
            "threads": self.threads if isinstance(self.threads, str) else list(self.threads),
            "format": self.format,
            "scale": self.scale,
            "kinds": list(self.kinds),
            "preset": self.preset,
            "style": self.style,
            "carousel": self.carousel,
        }
        # Only when not the default: a key used before the option existed,
        # sent again with the same body, still finds its job.
        if self.placeholders != Job.Placeholders.KEEP:
            body["placeholders"] = self.placeholders
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class JobOutcome(enum.StrEnum):
    """What `job_create` did."""

    CREATED = "created"  # a new job, charged
    REPLAYED = "replayed"  # the job this Idempotency-Key already made
    REUSED = "reused"  # an identical export's job (rendering/dedupe.py), free


@dataclass(frozen=True)
class CheckedRequest:
    """A job request checked against the user's plan and rows, everything
    resolved: what the job will render, and what it costs."""

    kind: str
    format: str
    kinds: list[str]
    scale: float
    thread_ids: list[int]
    style: dict[str, Any]
    preset: StylePreset | None
    arrangement: dict[str, Any]
    placeholders: str
    watermark_forced: bool

    @property
    def exports(self) -> int:
        """What it is charged: each thread and kind of a bulk export counts once."""
        return len(self.thread_ids) * len(self.kinds) if self.kind == Job.Kind.BULK else 1


def checked_request(*, user: User, request: JobRequest) -> CheckedRequest:
    """`request` checked as creating its job checks it (and quoting it:
    `rendering.quotes`), raising Invalid naming the field; nothing is made."""
    plan = user.plan
    kind, fmt, kinds = checked_kind_and_format(request)
    scale = checked_scale(request.scale, plan.max_scale)
    thread_ids = checked_threads(user, request, plan.bulk_max_threads)
    style, preset = chosen_style(user, request)
    # A carousel without its own arrangement freezes the thread's saved one:
    # a retried job renders the same whatever the Studio saves meanwhile.
    arrangement = checked_arrangement(request.carousel, kind, thread_ids) or shown_arrangement(
        user, kind, thread_ids
    )
    return CheckedRequest(
        kind=kind,
        format=fmt,
        kinds=kinds,
        scale=scale,
        thread_ids=thread_ids,
        style=style,
        preset=preset,
        arrangement=arrangement,
        placeholders=checked_placeholders(request.placeholders),
        watermark_forced=plan.watermark_forced,
    )


def job_create(*, user: User, request: JobRequest, idempotency_key: str = "") -> tuple[Job, JobOutcome]:
    """A queued job; or the job this idempotency key already made; or,
    without a key, the job an identical export made (`rendering.dedupe`).
    The same key with a different request is a conflict. Exports are
    charged to this month's quota when a job is made (nothing when one is
    replayed or reused) and given back if it fails."""
    key = idempotency_key.strip()
    if len(key) > 255:
        raise Invalid("at most 255 characters.", field="Idempotency-Key")
    fingerprint = request.fingerprint()
    if key:
        existing = replayed_job(user, key, fingerprint)
        if existing is not None:
            return existing, JobOutcome.REPLAYED
    checked = checked_request(user=user, request=request)
    content = dedupe.content_fingerprint(user=user, checked=checked)
    # With a key, the key alone says which requests are the same export.
    reusable = None if key else dedupe.reusable_job(user=user, fingerprint=content)
    if reusable is not None:
        return reusable, JobOutcome.REUSED
    warnings = export_warnings(
        user=user,
        thread_ids=checked.thread_ids,
        arrangement=checked.arrangement,
        placeholders=checked.placeholders,
        bulk=checked.kind == Job.Kind.BULK,
    ) + font_warnings(user=user, style=checked.style)
    try:
        with transaction.atomic():
            month = charge_exports(user, checked.exports)
            # The charge holds the user's usage row until commit: an identical
            # request that took it first (three quick ⌘S) has committed its job
            # by now, and this one answers with it, its charge rolled back.
            reusable = None if key else dedupe.reusable_job(user=user, fingerprint=content)
            if reusable is not None:
                transaction.set_rollback(True)
                return reusable, JobOutcome.REUSED
            check_running_jobs(user)
            job = Job.objects.create(
                owner=user,
                kind=checked.kind,
                thread_ids=checked.thread_ids,
                kinds=checked.kinds,
                style=checked.style,
                preset=checked.preset,
                arrangement=checked.arrangement,
                placeholders=checked.placeholders,
                warnings=warnings,
                format=checked.format,
                scale=checked.scale,
                watermark_forced=checked.watermark_forced,
                total=len(checked.thread_ids) if checked.kind == Job.Kind.BULK else 0,
                exports_charged=checked.exports,
                charged_month=month,
                idempotency_key=key,
                request_hash=fingerprint,
                content_fingerprint=content,
                enqueued=timezone.now(),
            )
            send_on_commit(job)
    except (IntegrityError, QuotaExceeded):
        # Another request with this key (or, without one, an identical
        # request) won the race, perhaps taking the last export or slot as
        # it did; answer as it did.
        existing = (
            replayed_job(user, key, fingerprint)
            if key
            else dedupe.reusable_job(user=user, fingerprint=content)
        )
        if existing is None:
            raise
        return existing, JobOutcome.REPLAYED if key else JobOutcome.REUSED
    return job, JobOutcome.CREATED


def replayed_job(user: User, key: str, fingerprint: str) -> Job | None:
    job = Job.objects.filter(owner=user, idempotency_key=key).first()
    if job is not None and job.request_hash != fingerprint:
        raise Conflict(
            "this key was used for a different request; use a new key.",
            field="Idempotency-Key",
        )
    return job


def checked_kind_and_format(request: JobRequest) -> tuple[str, str, list[str]]:
    if request.kind not in Job.Kind.values:
        raise Invalid(f"must be one of {', '.join(Job.Kind.values)}.", field="kind")
    if request.kind != Job.Kind.BULK:
        allowed = KIND_FORMATS[request.kind]
        if request.format not in allowed:
            raise Invalid(f"a {request.kind} export is one of {', '.join(allowed)}.", field="format")
        return request.kind, request.format, [request.kind]
    kinds = list(dict.fromkeys(request.kinds or ["carousel"]))
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise Invalid(f"{unknown[0]!r} is not one of {', '.join(KINDS)}.", field="kinds")
    if request.format not in BULK_FORMATS:
        raise Invalid(
            "a bulk export is always one ZIP; choose the format inside it: png, jpeg, webp, "
            "or pdf for carousels.",
            field="format",
        )
    if request.format == "pdf" and kinds != ["carousel"]:
        raise Invalid('pdf is for carousels only; set kinds to ["carousel"].', field="format")
    return request.kind, request.format, kinds


def checked_scale(scale: object, plan_max: int) -> float:
    """`scale` as the engine takes it (an int when whole): one of
    DRAWN_SCALES, up to the plan's maximum (below 1 always)."""
    try:
        value = scale_value(scale)
    except ValueError:
        raise Invalid(f"must be one of {SCALE_WORDS}.", field="scale") from None
    if value > max(plan_max, 1):
        raise Invalid(f"your plan exports at up to {plan_max}×; upgrade for more.", field="scale")
    return value


def checked_threads(user: User, request: JobRequest, plan_bulk_max: int) -> list[int]:
    field = "threads" if request.kind == Job.Kind.BULK else "thread"
    owned = threads_of(user=user)
    if request.threads == "all" and request.kind == Job.Kind.BULK:
        # "All" means the finished ones: a thread still being imported waits.
        ids = list(
            owned.filter(draft=False)
            .order_by("-updated", "-id")
            .values_list("id", flat=True)[: settings.BULK_MAX_THREADS + 1]
        )
    elif isinstance(request.threads, str):
        raise Invalid('give thread ids (or "all" for a bulk export).', field=field)
    else:
        ids = list(dict.fromkeys(request.threads))
    if not ids:
        raise Invalid("no threads to export.", field=field)
    if request.kind != Job.Kind.BULK and len(ids) != 1:
        raise Invalid("one thread per export; use a bulk export for several.", field=field)
    if len(ids) > settings.BULK_MAX_THREADS:
        raise Invalid(f"at most {settings.BULK_MAX_THREADS} threads in one export.", field=field)
    if len(ids) > plan_bulk_max:
        raise Invalid(f"your plan exports at most {plan_bulk_max} threads at once.", field=field)
    found = {
        thread_id: (title, has_posts, draft)
        for thread_id, title, has_posts, draft in owned.filter(id__in=ids)
        .annotate(has_posts=Exists(Post.objects.filter(thread=OuterRef("pk"))))
        .values_list("id", "title", "has_posts", "draft")
    }
    missing = [thread_id for thread_id in ids if thread_id not in found]
    if missing:
        raise Invalid(f"you have no thread {missing[0]}.", field=field)
    drafts = [thread_id for thread_id in ids if found[thread_id][2]]
    if drafts:
        raise Invalid(
            f"thread {drafts[0]} ({found[drafts[0]][0]!r}) is still being imported: its pictures are on "
            "their way. Wait for them, or finish it without them on its page.",
            field=field,
        )
    empty = [thread_id for thread_id in ids if not found[thread_id][1]]
    if empty:
        raise Invalid(f"thread {empty[0]} ({found[empty[0]][0]!r}) has no posts to render.", field=field)
    return ids


def checked_arrangement(value: object, kind: str, thread_ids: Sequence[int]) -> dict[str, Any]:
    """Carousel Studio's choices (`threads/arrangement.py`), checked against
    the thread's posts; {} when none is given (the thread's saved one then
    applies when the export runs)."""
    if value is None or value == {}:
        return {}
    if kind != Job.Kind.CAROUSEL:
        raise Invalid("only carousels can choose and order their posts.", field="carousel")
    texts = Post.objects.filter(thread_id=thread_ids[0]).order_by("position").values_list("text", flat=True)
    return arrangement_validate(value, paragraph_counts(list(texts)))


def shown_arrangement(user: User, kind: str, thread_ids: Sequence[int]) -> dict[str, Any]:
    """The saved arrangement a carousel export without its own will use."""
    if kind != Job.Kind.CAROUSEL:
        return {}
    thread = thread_details(user=user).filter(pk=thread_ids[0]).first()
    return saved_arrangement(thread) if thread is not None else {}


def saved_arrangement(thread: Thread) -> dict[str, Any]:
    """The arrangement saved with `thread` (posts loaded), less what its
    posts have outgrown since."""
    if not thread.arrangement:
        return {}
    return arrangement_fitted(
        thread.arrangement, paragraph_counts([post.text for post in thread.posts.all()])
    )


def checked_placeholders(value: object) -> str:
    if value not in Job.Placeholders.values:
        raise Invalid(f"must be one of {', '.join(Job.Placeholders.values)}.", field="placeholders")
    return str(value)


def images_to_add(*, user: User, thread_ids: Sequence[int]) -> dict[int, list[int]]:
    """The posts (positions from 1) of `user`'s threads that still have
    images to add (placeholders), for each thread that has any: one query."""
    rows = (
        PostImage.objects.filter(post__thread__owner=user, post__thread_id__in=thread_ids, file="")
        .order_by("post__thread_id", "post__position")
        .values_list("post__thread_id", "post__position")
        .distinct()
    )
    found: dict[int, list[int]] = {}
    for thread_id, position in rows:
        found.setdefault(thread_id, []).append(position)
    return found


def export_warnings(
    *, user: User, thread_ids: Sequence[int], arrangement: dict[str, Any], placeholders: str, bulk: bool
) -> list[dict[str, Any]]:
    """A job's notes on images still to add: for each thread, in export
    order, the posts the export shows that still have some (the thread's
    own positions, from 1). Kept, they come out as grey boxes nobody meant
    to post, so the owner is told; left out ("drop"), the note says what
    went. Found once, as the job is made, like the style it freezes."""
    found = images_to_add(user=user, thread_ids=thread_ids)
    shown = set(arrangement.get("posts", ()))
    if shown:
        found = {thread_id: [p for p in positions if p in shown] for thread_id, positions in found.items()}
    titles = dict(threads_of(user=user).filter(pk__in=found).values_list("id", "title")) if bulk else {}
    code = (
        Job.WarningCode.IMAGES_LEFT_OUT
        if placeholders == Job.Placeholders.DROP
        else Job.WarningCode.IMAGES_TO_ADD
    )
    return [
        {
            "code": code.value,
            "thread": thread_id,
            "posts": found[thread_id],
            "message": (f"“{titles[thread_id]}”: " if bulk else "")
            + images_to_add_message(found[thread_id], placeholders),
        }
        for thread_id in thread_ids
        if found.get(thread_id)
    ]


def font_warnings(*, user: User, style: dict[str, Any]) -> list[dict[str, Any]]:
    """A note when the style names one of the owner's fonts they have
    deleted since (a preset saved with it): the export is drawn in the
    default family instead of failing."""
    family = missing_font(user=user, style=style)
    if not family:
        return []
    return [
        {
            "code": Job.WarningCode.FONT_MISSING.value,
            "font": family,
            "message": f"The font “{family}” is no longer in your brand kit; this export uses Inter instead.",
        }
    ]


LISTED_POSITIONS = 12  # past that, a message counts the rest: a job's row stays readable


def images_to_add_message(positions: Sequence[int], placeholders: str = Job.Placeholders.KEEP) -> str:
    """The note in words, such as: Posts 1, 3 and 5 still have images to
    add; they export as grey boxes."""
    fate = (
        "they are left out of this export"
        if placeholders == Job.Placeholders.DROP
        else "they export as grey boxes"
    )
    if len(positions) == 1:
        return f"Post {positions[0]} still has images to add; {fate}."
    listed = [str(position) for position in positions[:LISTED_POSITIONS]]
    last = f"{len(positions) - len(listed)} more" if len(positions) > len(listed) else listed.pop()
    return f"Posts {', '.join(listed)} and {last} still have images to add; {fate}."


def chosen_style(user: User, request: JobRequest) -> tuple[dict[str, Any], StylePreset | None]:
    """The style a request asks for, checked for `user`: a style given
    inline may name their fonts; a preset keeps the font it was saved with
    even when they have deleted it since (drawn in Inter, with a warning:
    `font_warnings`)."""
    if request.preset is not None and request.style is not None:
        raise Invalid("give a preset or a style, not both.", field="style")
    families = font_families(user=user)
    if request.preset is not None:
        preset = presets_visible_to(user=user).filter(pk=request.preset).first()
        if preset is None:
            raise Invalid(f"there is no preset {request.preset} you can use.", field="preset")
        return style_validate(preset.style, fonts=[*families, *saved_font(preset)]), preset
    if request.style is not None:
        return style_validate(request.style, fonts=families), None
    return default_style(), None


def saved_font(preset: StylePreset) -> list[str]:
    """The family a preset of the user's own was saved with (checked then
    against their fonts); a built-in preset names built-in families only."""
    font = (preset.style.get("text") or {}).get("font") if isinstance(preset.style, dict) else None
    return [font] if preset.owner_id is not None and isinstance(font, str) else []


def charge_exports(user: User, exports: int) -> datetime.date:
    """Take `exports` from this month's quota in one conditional UPDATE, so
    concurrent requests for the last few admit exactly as many as are left."""
    month = month_start()
    limit = user.plan.exports_per_month
    rows = MonthlyUsage.objects.filter(user=user, month=month, exports__lte=limit - exports)
    admitted = rows.update(exports=F("exports") + exports)
    if not admitted:  # over the quota, or no row yet: the month's first export
        MonthlyUsage.objects.get_or_create(user=user, month=month)
        admitted = rows.update(exports=F("exports") + exports)
    if not admitted:
        used = MonthlyUsage.objects.filter(user=user, month=month).values_list("exports", flat=True).get()
        resets = next_month_start(month)
        raise QuotaExceeded(
            f"your plan allows {limit} exports a month and {max(limit - used, 0)} are left; "
            f"this export needs {exports}. The count resets on {resets:%Y-%m-%d} (UTC).",
            field="exports",
        )
    return month


def check_running_jobs(user: User) -> None:
    """Refuse a job past the plan's number queued or running at once.
    Called after `charge_exports`, whose UPDATE holds the user's usage row
    until commit: one user's concurrent requests count one after another,
    each seeing the jobs the ones before it committed."""
    limit = user.plan.max_running_jobs
    active = Job.objects.filter(owner=user, status__in=Job.ACTIVE).count()
    if active >= limit:
        raise QuotaExceeded(
            f"your plan runs {limit} exports at a time and you have {active} queued or running; "
            "try again when one has finished, or cancel one.",
            field="max_running_jobs",
        )


def refund_exports(job: Job) -> None:
    if job.exports_charged and job.charged_month:
        MonthlyUsage.objects.filter(user_id=job.owner_id, month=job.charged_month).update(
            exports=Greatest(F("exports") - job.exports_charged, 0)
        )


def send_on_commit(job: Job) -> None:
    transaction.on_commit(lambda: send(job.pk, bulk=job.kind == Job.Kind.BULK))


def send(job_id: int, *, bulk: bool) -> None:
    from rendering import tasks  # tasks import this module

    queue(tasks.start_bulk if bulk else tasks.run_job, job_id)


def send_part(part_id: int) -> None:
    from rendering import tasks

    queue(tasks.run_part, part_id)


def send_assembly(job_id: int) -> None:
    from rendering import tasks

    queue(tasks.assemble, job_id)


def queue(task: Any, object_id: int) -> None:
    task.apply_async(
        (object_id,), queue=settings.CELERY_TASK_DEFAULT_QUEUE, task_id=message_id(task.name, object_id)
    )


def message_id(task_name: str, object_id: int) -> str:
    """Every message about one row has one id (a retry, the reconciler's
    re-send), so a cancel can revoke those still queued by name."""
    return f"{task_name}:{object_id}"


# --- Claiming --------------------------------------------------------------------


def stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_AFTER)


def claim(model: type[Job] | type[JobPart], pk: int) -> uuid.UUID | None:
    """Take the row for a new run: queued, or running with a silent heartbeat
    (its worker died). Returns the run's token, or None when another run has
    it or it is finished."""
    token = uuid.uuid4()
    now = timezone.now()
    takeable = Q(status="queued") | Q(status="running", heartbeat__lt=stale_before())
    rows = model.objects.filter(takeable, pk=pk)
    changes: dict[str, Any] = {
        "status": "running",
        "run_token": token,
        "heartbeat": now,
        "attempts": F("attempts") + 1,
    }
    if model is Job:
        changes["started"] = now
    return token if rows.update(**changes) else None


def beat(model: type[Job] | type[JobPart], pk: int, token: uuid.UUID, **changes: Any) -> None:
    """Record progress; stop if the run no longer owns the row."""
    if not model.objects.filter(pk=pk, run_token=token, status="running").update(
        heartbeat=timezone.now(), **changes
    ):
        raise Stopped


class CancelFlag:
    """Whether `job` was cancelled, from a Redis key that `job_cancel` sets:
    one EXISTS, cheap enough for every page, where the row is read only
    every BEAT_EVERY seconds. A hint: the row decides. Without Redis, or
    once it fails, the flag stays down and the heartbeat alone finds a
    cancel."""

    def __init__(self, job: Job) -> None:
        self.key = cancel_flag_key(job)
        self.store = redis_client(settings.REDIS_URL) if settings.REDIS_URL else None

    def is_up(self) -> bool:
        if self.store is None:
            return False
        try:
            return bool(self.store.exists(self.key))
        except redis.RedisError as error:
            logger.warning("cancel flags unreadable (%s); the heartbeat alone finds cancels", error)
            self.store = None  # never wait on a lost Redis once per page
            return False


def cancel_flag_key(job: Job) -> str:
    # With the job's creation time: ids start again at 1 in a new database
    # (every test run), and a flag must never stop another job.
    return f"tn:job-cancelled:{job.pk}:{job.created.timestamp():.6f}"


BEAT_EVERY = 0.5  # seconds: live enough for a progress bar, a write per page would load the database


def heartbeat(beat_now: Callable[[], None], flag: CancelFlag) -> Callable[[], None]:
    """For between pages: `beat_now` at most every BEAT_EVERY seconds of a
    run (pages come every 10-20 ms), and at once when `flag` is up. As
    `beat_now` raises Stopped once the row is no longer the run's, a
    cancelled render stops before its next page. The last values always
    reach the row with the result."""
    last = time.monotonic()

    def maybe() -> None:
        nonlocal last
        if flag.is_up() or time.monotonic() - last >= BEAT_EVERY:
            beat_now()
            last = time.monotonic()

    return maybe


def finish_job(job: Job, token: uuid.UUID | None, status: str, **changes: Any) -> bool:
    """End a job once. With a token, only the run that owns it can."""
    rows = Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE)
    if token is not None:
        rows = rows.filter(run_token=token)
    with transaction.atomic():
        ended = rows.update(status=status, finished=timezone.now(), heartbeat=timezone.now(), **changes)
        if ended and status != Job.Status.SUCCEEDED:
            refund_exports(job)
        if ended and status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            # A listener's failure (a webhook) must never keep a job from
            # ending; a lost connection, though, has lost the whole transaction.
            for receiver, error in job_finished.send_robust(sender=Job, job=Job.objects.get(pk=job.pk)):
                if isinstance(error, CONNECTION_ERRORS):
                    raise error
                if isinstance(error, Exception):
                    logger.error("job %s: %r failed on job_finished: %r", job.pk, receiver, error)
            if transaction.get_rollback():  # a listener's savepoint could not be undone
                raise OperationalError(f"job {job.pk}: the transaction that ended it was rolled back")
    if ended and status != Job.Status.SUCCEEDED:
        remove_part_files(job.pk)
    if ended and job.kind == Job.Kind.ARCHIVE_IMPORT:
        transaction.on_commit(lambda: remove_source(job.pk))
    return bool(ended)


def remove_source(job_id: int) -> None:
    """An archive import's uploaded ZIP, kept only while the job may run."""
    name = Job.objects.filter(pk=job_id).exclude(source="").values_list("source", flat=True).first()
    if name:
        default_storage.delete(name)
        Job.objects.filter(pk=job_id).update(source="")


def fail_job(job: Job, token: uuid.UUID | None, message: str) -> bool:
    return finish_job(job, token, Job.Status.FAILED, error=message[:500])


def too_many_attempts(job_or_part: Job | JobPart) -> bool:
    return job_or_part.attempts >= settings.JOB_MAX_ATTEMPTS


def given_up(attempts: int) -> str:
    return f"stopped its worker {attempts} times; it was given up."


def take(
    model: type[Job] | type[JobPart], row: Job | JobPart, give_up: Callable[[str], object]
) -> uuid.UUID | None:
    """Claim `row` for a new run, or give it up once it has stopped its
    worker too often (a job that crashes its process every time)."""
    if too_many_attempts(row):
        give_up(given_up(row.attempts))
        return None
    return claim(model, row.pk)


# --- Running one thread ------------------------------------------------------------


def job_run(job_id: int) -> None:
    """Render a single-thread job and store its file."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    token = take(Job, job, lambda reason: fail_job(job, None, f"The job {reason}"))
    if token is None:
        return
    pages = {"done": 0, "total": 0}
    try:
        job.refresh_from_db()
        checkpoint = heartbeat(lambda: beat(Job, job.pk, token, **pages), CancelFlag(job))

        def progress(done: int, total: int) -> None:
            pages.update(done=done, total=total)
            checkpoint()

        files = render_thread(job, job.thread_ids[0], job.kind, progress)
        name, content = single_result(job, files)
        store_result(job, token, name, content, **pages)
    except Stopped:
        logger.info("job %s stopped at page %s of %s: cancelled or taken over", job.pk, *pages.values())
        return
    except (renderer.RenderRefused, NotFound, Invalid) as error:
        fail_job(job, token, str(error))
    except StorageFull:
        fail_job(job, token, f"The export failed: {STORAGE_FULL}")
    except CONNECTION_ERRORS:
        release(Job, job.pk, token)
        raise
    except Exception:
        logger.exception("job %s failed", job.pk)
        fail_job(job, token, "Rendering failed unexpectedly; the error was logged for us to fix.")


def render_thread(
    job: Job, thread_id: int, kind: str, progress: Callable[[int, int], None] | None = None
) -> list[renderer.RenderedFile]:
    thread = thread_details(user=job.owner).filter(pk=thread_id).first()
    if thread is None:
        raise NotFound(f"thread {thread_id} was deleted after the export was made.")
    drill_crash(thread.title)
    data = as_exported(
        adapters.input_from_thread(thread),
        kind=kind,
        arrangement=job.arrangement or saved_arrangement(thread),
        placeholders=job.placeholders,
    )
    brand = brand_files(user=job.owner, style=job.style)
    data = adapters.with_brand(data, brand)
    return renderer.render(
        data=data,
        style=job.style,
        kind=kind,
        fmt=job.format,
        scale=job.scale,
        watermark_forced=job.watermark_forced,
        progress=progress,
        limits=adapters.render_limits(),
    )


def as_exported(
    data: renderer.RenderInput, *, kind: str, arrangement: dict[str, Any], placeholders: str
) -> renderer.RenderInput:
    """What an export of `kind` draws of a thread: without its images still
    to add when they are left out, with the Studio's choice of posts
    (carousels). The preview goes through here too: preview == export."""
    if placeholders == Job.Placeholders.DROP:
        data = adapters.without_images_to_add(data)
    if arrangement and kind == Job.Kind.CAROUSEL:
        data = renderer.arrange(data, engine_arrangement(arrangement))
    return data


def single_result(job: Job, files: list[renderer.RenderedFile]) -> tuple[str, bytes]:
    title = Thread.objects.filter(pk=job.thread_ids[0]).values_list("title", flat=True).first() or "thread"
    stem = f"{safe_name(title)}-{job.kind}"
    if len(files) == 1:
        extension = files[0].name.rsplit(".", 1)[-1]
        return f"{stem}.{extension}", files[0].content
    entries = [(file.name, file.content) for file in files]
    index = [renderer.page_entry(file.name, number, file) for number, file in enumerate(files, start=1)]
    return f"{stem}.zip", zip_bytes([*entries, ("index.json", outputs.index_json(index))])


def store_result(job: Job, token: uuid.UUID, name: str, content: bytes, **progress: int) -> None:
    stored = save_file(f"exports/{job.pk}/{name}", ContentFile(content))
    try:
        finished = finish_job(
            job,
            token,
            Job.Status.SUCCEEDED,
            result=stored,
            result_name=name,
            result_size=len(content),
            error="",
            **progress,
        )
    except CONNECTION_ERRORS:
        if not stored_as_result(job.pk, stored):
            default_storage.delete(stored)  # the retry stores its own
        raise
    if not finished:
        default_storage.delete(stored)  # cancelled, or another run finished first


def stored_as_result(job_id: int, stored: str) -> bool:
    """After a connection error at the end of a run: did the job end with
    this file anyway (the commit went through, its answer was lost)? When
    the database cannot say, yes: a stray file beats a lost result."""
    connection.close()
    try:
        return Job.objects.filter(pk=job_id, result=stored).exists()
    except CONNECTION_ERRORS:
        connection.close()
        return True


def save_file(name: str, content: File) -> str:
    """Store a file under `name` (or a free name like it). When the storage
    is full, what was partly written is removed and StorageFull raised."""
    name = default_storage.get_available_name(name)
    try:
        return default_storage.save(name, content)
    except OSError as error:
        if error.errno not in NO_ROOM:
            raise
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        raise StorageFull(name) from error


def release(model: type[Job] | type[JobPart], pk: int, token: uuid.UUID | None) -> None:
    """A run that lost its database connection hands its row back (queued,
    the attempt not counted) for the task's retry to claim at once. If the
    database is still away, the reconciler sends it again later."""
    connection.close()
    try:
        model.objects.filter(pk=pk, run_token=token, status="running").update(
            status="queued", run_token=None, attempts=Greatest(F("attempts") - 1, 0)
        )
    except CONNECTION_ERRORS:
        logger.warning(
            "%s %s: the database is still away; the reconciler will send it again", model.__name__, pk
        )
        connection.close()


def zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in entries:
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), content)
    return buffer.getvalue()


def safe_name(text: str, limit: int = 60) -> str:
    """A file name anyone's system accepts: ASCII letters, digits and dashes,
    cut at a word's end (a single word longer than `limit` is cut short)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    if len(slug) > limit:
        head = slug[: limit + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:limit]
    return slug.strip("-") or "thread"


# --- Bulk exports --------------------------------------------------------------------


def bulk_start(job_id: int) -> None:
    """Split a bulk job into a part per thread and send the parts out."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    if claim(Job, job_id) is None and not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).exists():
        return
    JobPart.objects.bulk_create(
        [
            JobPart(job=job, number=number, thread_id=thread_id, enqueued=timezone.now())
            for number, thread_id in enumerate(job.thread_ids, start=1)
        ],
        ignore_conflicts=True,
    )
    Job.objects.filter(pk=job_id).update(total=len(job.thread_ids), heartbeat=timezone.now())
    for part_id in JobPart.objects.filter(job_id=job_id, status=JobPart.Status.QUEUED).values_list(
        "id", flat=True
    ):
        send_part(part_id)
    assemble_when_complete(job_id)


def part_run(part_id: int) -> None:
    """Render one thread of a bulk export into a stored part."""
    part = JobPart.objects.select_related("job", "job__owner").filter(pk=part_id).first()
    if (
        part is None
        or part.status in (JobPart.Status.SUCCEEDED, JobPart.Status.FAILED)
        or part.job.is_finished
    ):
        return
    job = part.job
    token = take(JobPart, part, lambda reason: part_failed(part, None, f"It {reason}"))
    if token is None:
        return
    checkpoint = heartbeat(lambda: part_beat(part_id, token, job.pk), CancelFlag(job))
    try:
        entries: list[tuple[str, bytes]] = []
        index: list[dict[str, Any]] = []
        for kind in job.kinds:
            files = render_thread(job, part.thread_id, kind, lambda *_: checkpoint())
            for number, file in enumerate(files, start=1):
                entries.append((file.name, file.content))
                index.append(renderer.page_entry(file.name, number, file))
        title = Thread.objects.filter(pk=part.thread_id).values_list("title", flat=True).first() or "thread"
        folder = f"{part.number:03d}-{safe_name(title)}"
        stored = save_file(f"export-parts/{job.pk}/{part.number:03d}.zip", ContentFile(zip_bytes(entries)))
    except Stopped:
        return
    except (renderer.RenderRefused, NotFound, Invalid) as error:
        part_failed(part, token, str(error))
        return
    except StorageFull:
        part_failed(part, token, STORAGE_FULL)
        return
    except CONNECTION_ERRORS:
        release(JobPart, part_id, token)
        raise
    except Exception:
        logger.exception("part %s of job %s failed", part.number, job.pk)
        part_failed(part, token, "rendering failed unexpectedly; the error was logged for us to fix.")
        return
    done = JobPart.objects.filter(pk=part_id, run_token=token, status=JobPart.Status.RUNNING).update(
        status=JobPart.Status.SUCCEEDED, file=stored, folder=folder, index=index, heartbeat=timezone.now()
    )
    if not done or not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).exists():
        default_storage.delete(stored)  # another run has it, or the export was cancelled meanwhile
        return
    Job.objects.filter(pk=job.pk).update(done=F("done") + 1, heartbeat=timezone.now())
    assemble_when_complete(job.pk)


def part_beat(part_id: int, token: uuid.UUID, job_id: int) -> None:
    """A part's heartbeat, which also stops it when its export was cancelled or failed."""
    beat(JobPart, part_id, token)
    if not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).exists():
        raise Stopped


def part_failed(part: JobPart, token: uuid.UUID | None, reason: str) -> None:
    rows = JobPart.objects.filter(pk=part.pk).exclude(
        status__in=[JobPart.Status.SUCCEEDED, JobPart.Status.FAILED]
    )
    if token is not None:
        rows = rows.filter(run_token=token)
    if rows.update(status=JobPart.Status.FAILED, error=reason[:500]):
        title = Thread.objects.filter(pk=part.thread_id).values_list("title", flat=True).first()
        name = f"thread {part.thread_id}" + (f" ({title!r})" if title else "")
        fail_job(
            part.job, None, reason if reason.startswith(f"thread {part.thread_id} ") else f"{name}: {reason}"
        )


def assemble_when_complete(job_id: int) -> None:
    remaining = JobPart.objects.filter(job_id=job_id).exclude(status=JobPart.Status.SUCCEEDED)
    if JobPart.objects.filter(job_id=job_id).exists() and not remaining.exists():
        send_assembly(job_id)


def bulk_assemble(job_id: int) -> None:
    """Copy every part into the export's ZIP, a folder per thread and an
    index of each file with its alt text, streaming: one file in memory at
    a time, whatever the export's size."""
    job = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).first()
    if job is None:
        return
    parts = list(JobPart.objects.filter(job_id=job_id).order_by("number"))
    if not parts or any(part.status != JobPart.Status.SUCCEEDED for part in parts):
        return
    token = uuid.uuid4()
    # One assembler at a time; another may take over once this one falls silent.
    free = Q(assembling__isnull=True) | Q(heartbeat__lt=stale_before())
    if not Job.objects.filter(free, pk=job_id, status=Job.Status.RUNNING).update(
        run_token=token, assembling=timezone.now(), heartbeat=timezone.now()
    ):
        return
    name = f"thread-navigator-export-{job.pk}.zip"
    stored = ""
    try:
        with tempfile.NamedTemporaryFile(suffix=".zip") as spool:
            size = write_bulk_zip(job, parts, token, spool)
            stored = save_file(f"exports/{job.pk}/{name}", File(spool, name=name))
        finished = finish_job(
            job, token, Job.Status.SUCCEEDED, result=stored, result_name=name, result_size=size, error=""
        )
    except Stopped:
        return
    except (StorageFull, OSError) as error:
        mine = Job.objects.filter(pk=job_id, run_token=token, status=Job.Status.RUNNING)
        if isinstance(error, FileNotFoundError) and not mine.exists():
            return  # cancelled: its parts were removed while this copied them
        if isinstance(error, OSError) and error.errno not in NO_ROOM:
            raise
        fail_job(job, token, f"The export failed: {STORAGE_FULL}")
        return
    except CONNECTION_ERRORS:
        if stored and not stored_as_result(job_id, stored):
            default_storage.delete(stored)
        release_assembly(job_id, token)
        raise
    if finished:
        remove_part_files(job_id)
    else:
        default_storage.delete(stored)


def write_bulk_zip(job: Job, parts: list[JobPart], token: uuid.UUID, spool: IO[bytes]) -> int:
    """The export's ZIP, written to `spool`: a folder per thread and
    index.json. Returns its size."""
    index: list[dict[str, Any]] = []
    flag = CancelFlag(job)
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as archive:
        for part in parts:
            files = []
            with default_storage.open(str(part.file.name)) as packed, zipfile.ZipFile(packed) as source:
                for item, info in zip(part.index, source.infolist(), strict=True):
                    if flag.is_up():
                        beat(Job, job.pk, token)
                    entry = part_index_entry(item)
                    target = zipfile.ZipInfo(f"{part.folder}/{entry['file']}", ZIP_TIME)
                    with source.open(info) as reader, archive.open(target, "w") as writer:
                        shutil.copyfileobj(reader, writer, 1 << 20)
                    files.append({**entry, "file": target.filename})
            about = Thread.objects.filter(pk=part.thread_id).values("title", "author_name", "handle").first()
            index.append({"folder": part.folder, "thread": part.thread_id, **(about or {}), "files": files})
            beat(Job, job.pk, token)
        summary = {"export": job.pk, "kinds": job.kinds, "format": job.format, "threads": index}
        archive.writestr(
            zipfile.ZipInfo("index.json", ZIP_TIME), json.dumps(summary, ensure_ascii=False, indent=2)
        )
    size = spool.tell()
    spool.seek(0)
    return size


INDEX_KEYS = ("file", "page", "alt", "posts")  # as `renderer.page_entry` orders them


def part_index_entry(item: dict[str, Any] | list[str]) -> dict[str, Any]:
    """A line of a part's index, its keys in the order single exports give
    them (PostgreSQL keeps a JSON object's keys in an order of its own).
    Parts rendered before the index had pages and posts (a deploy during a
    bulk export) hold [file, alt] pairs."""
    if isinstance(item, dict):
        return {key: item[key] for key in INDEX_KEYS}
    name, alt = item
    return {"file": name, "alt": alt}


def release_assembly(job_id: int, token: uuid.UUID) -> None:
    """The assembler lost its database connection: free the export for the retry."""
    connection.close()
    try:
        Job.objects.filter(pk=job_id, run_token=token).update(assembling=None)
    except CONNECTION_ERRORS:
        logger.warning("job %s: the database is still away; the reconciler will assemble it", job_id)
        connection.close()


def remove_part_files(job_id: int) -> None:
    for part in JobPart.objects.filter(job_id=job_id).exclude(file=""):
        default_storage.delete(str(part.file.name))
    JobPart.objects.filter(job_id=job_id).update(file="")


# --- Cancel, reconcile, clean up ------------------------------------------------------


def job_cancel(*, job: Job) -> Job:
    """End the job now (its exports given back); once that is committed,
    raise its cancel flag, so its renders stop before their next page, and
    revoke its messages still queued, so they never take a worker."""
    if job.is_finished:
        raise Conflict(f"the job has already {job.status}.", field="status")
    if finish_job(job, None, Job.Status.CANCELLED):
        transaction.on_commit(lambda: stop_runs(job))
    job.refresh_from_db()
    return job


def stop_runs(job: Job) -> None:
    raise_cancel_flag(job)
    unqueue(messages_of(job))


def raise_cancel_flag(job: Job) -> None:
    if not settings.REDIS_URL:
        return
    try:
        # Kept as long as a run can last: any run after it finds the row finished.
        redis_client(settings.REDIS_URL).set(cancel_flag_key(job), 1, ex=settings.CELERY_TASK_TIME_LIMIT)
    except redis.RedisError as error:
        logger.warning("job %s: no cancel flag (%s); its run stops at its next heartbeat", job.pk, error)


def messages_of(job: Job) -> list[str]:
    from rendering import tasks
    from threads import tasks as thread_tasks

    if job.kind == Job.Kind.ARCHIVE_IMPORT:
        return [message_id(thread_tasks.import_archive.name, job.pk)]
    if job.kind != Job.Kind.BULK:
        return [message_id(tasks.run_job.name, job.pk)]
    parts = JobPart.objects.filter(job=job).values_list("id", flat=True)
    return [
        message_id(tasks.start_bulk.name, job.pk),
        message_id(tasks.assemble.name, job.pk),
        *(message_id(tasks.run_part.name, part_id) for part_id in parts),
    ]


def unqueue(message_ids: list[str]) -> None:
    """Workers drop these messages unread when they come to them. Each
    worker keeps the list in memory: one started later runs them, and they
    end at once on the finished row."""
    try:
        celery_app.control.revoke(message_ids)
    except (BrokerUnreachable, redis.RedisError, OSError) as error:
        logger.warning("%s messages not revoked (%s); they end at once when run", len(message_ids), error)


def jobs_reconcile() -> dict[str, int]:
    """Send again what a lost message, a dead worker or a crash between commit
    and send left behind. Safe to run any number of times: every step
    claims its row before it works."""
    now = timezone.now()
    requeue_before = now - datetime.timedelta(seconds=settings.JOB_REQUEUE_AFTER)
    stale = stale_before()
    sent = {"jobs": 0, "parts": 0, "assemblies": 0}
    lost = Job.objects.filter(
        Q(status=Job.Status.QUEUED, enqueued__lt=requeue_before)
        | Q(status=Job.Status.RUNNING, heartbeat__lt=stale)
    )
    for job in lost:
        if job.kind == Job.Kind.BULK and job.status == Job.Status.RUNNING:
            continue  # its parts are looked at below
        if job.status == Job.Status.RUNNING and too_many_attempts(job):
            fail_job(job, None, f"The job {given_up(job.attempts)}")
            continue
        Job.objects.filter(pk=job.pk).update(enqueued=now)
        send_again(job)
        sent["jobs"] += 1
    running_bulk = Job.objects.filter(kind=Job.Kind.BULK, status=Job.Status.RUNNING)
    parts = JobPart.objects.filter(job__in=running_bulk).filter(
        Q(status=JobPart.Status.QUEUED, enqueued__lt=requeue_before)
        | Q(status=JobPart.Status.RUNNING, heartbeat__lt=stale)
    )
    for part in parts:
        JobPart.objects.filter(pk=part.pk).update(enqueued=now)
        send_part(part.pk)
        sent["parts"] += 1
    for job in running_bulk.filter(heartbeat__lt=stale):
        if not JobPart.objects.filter(job=job).exclude(status=JobPart.Status.SUCCEEDED).exists():
            if JobPart.objects.filter(job=job).exists():
                send_assembly(job.pk)
                sent["assemblies"] += 1
            else:
                send(job.pk, bulk=True)  # its parts were never made
                sent["jobs"] += 1
    return sent


def send_again(job: Job) -> None:
    if job.kind == Job.Kind.ARCHIVE_IMPORT:
        from threads import tasks as thread_tasks

        queue(thread_tasks.import_archive, job.pk)
    else:
        send(job.pk, bulk=job.kind == Job.Kind.BULK)


def jobs_clean_up() -> int:
    """Delete jobs (and their files) finished more than the retention ago."""
    before = timezone.now() - datetime.timedelta(days=settings.JOB_RETENTION_DAYS)
    old = Job.objects.filter(finished__lt=before)
    count = 0
    for job in old.iterator():
        if job.result:
            default_storage.delete(str(job.result.name))
        remove_source(job.pk)
        remove_part_files(job.pk)
        job.delete()
        count += 1
    return count


# --- Fault drills -------------------------------------------------------------------


def drill_crash(title: str) -> None:
    """With FAULT_DRILLS="crash:MARKER" (tests and drills only), a worker
    rendering a thread whose title holds MARKER dies as if killed."""
    drill = settings.FAULT_DRILLS
    if drill.startswith("crash:") and drill.removeprefix("crash:") in title:
        os.kill(os.getpid(), signal.SIGKILL)
