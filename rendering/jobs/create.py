"""Making a job: checked, deduplicated or replayed, charged, and handed to
`dispatch` once committed, which sends it when its owner has room."""

import enum

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services import charge_exports, check_running_jobs
from config.errors import Conflict, Invalid, QuotaExceeded
from rendering import dedupe
from rendering.jobs.dispatch import dispatch
from rendering.jobs.requests import JobRequest, checked_request, export_warnings, font_warnings
from rendering.models import Job


class JobOutcome(enum.StrEnum):
    """What `job_create` did."""

    CREATED = "created"  # a new job, charged
    REPLAYED = "replayed"  # the job this Idempotency-Key already made
    REUSED = "reused"  # an identical export's job (rendering/dedupe.py), free


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
            month = charge_exports(user=user, exports=checked.exports)
            # The charge holds the user's usage row until commit: an identical
            # request that took it first (three quick ⌘S) has committed its job
            # by now, and this one answers with it, its charge rolled back.
            reusable = None if key else dedupe.reusable_job(user=user, fingerprint=content)
            if reusable is not None:
                transaction.set_rollback(True)
                return reusable, JobOutcome.REUSED
            check_running_jobs(user=user)
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
                fast=user.plan.fast_export,
            )
            # Sent once committed; if that fails, the reconciler sends it.
            transaction.on_commit(lambda: dispatch(owner_id=user.pk), robust=True)
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
