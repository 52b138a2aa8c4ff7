"""What an export would cost, asked before making it: checked as creating
the job checks it, nothing rendered, charged or made."""

import datetime
from dataclasses import dataclass
from typing import cast

from django.utils import timezone

from accounts.models import User
from accounts.selectors import usage_this_month
from rendering import dedupe
from rendering.jobs.requests import JobRequest, checked_request
from rendering.models import Job


@dataclass(frozen=True)
class Quote:
    exports: int  # what the export would be charged: 0 when it reuses a job
    used: int  # this month's exports so far
    allowed: int  # the plan's exports a month
    left: int
    reuses: int | None  # the job an identical export made, answered instead
    message: str


def job_quote(*, user: User, request: JobRequest) -> Quote:
    """What `job_create` would charge for `request` without an
    Idempotency-Key, and this month's figures. Raises Invalid naming the
    field, as job creation does."""
    checked = checked_request(user=user, request=request)
    reused = dedupe.reusable_job(
        user=user, fingerprint=dedupe.content_fingerprint(user=user, checked=checked)
    )
    usage = usage_this_month(user=user)
    used, allowed = cast(int, usage["exports_used"]), cast(int, usage["exports_limit"])
    left = max(allowed - used, 0)
    exports = 0 if reused is not None else checked.exports
    return Quote(
        exports=exports,
        used=used,
        allowed=allowed,
        left=left,
        reuses=reused.pk if reused is not None else None,
        message=reused_message(reused) if reused is not None else cost_message(exports, left),
    )


def cost_message(exports: int, left: int) -> str:
    """Such as: uses 1 of the 47 exports you have left this month."""
    if exports > left:
        return f"would need {counted(exports, 'export')}; you have {left or 'none'} left this month"
    if exports == left:
        return f"uses {'your last export' if left == 1 else f'the last {left} exports'} this month"
    return f"uses {exports} of the {left} exports you have left this month"


def reused_message(job: Job) -> str:
    """Such as: already exported 3 minutes ago: free."""
    if job.status == Job.Status.SUCCEEDED and job.finished is not None:
        return f"already exported {ago(job.finished)}: free"
    if job.status == Job.Status.RUNNING and job.started is not None:
        return f"already being exported (started {ago(job.started)}): free"
    return f"already being exported (queued {ago(job.created)}): free"


def ago(moment: datetime.datetime) -> str:
    seconds = max((timezone.now() - moment).total_seconds(), 0)
    if seconds < 60:
        return "less than a minute ago"
    if seconds < 3600:
        return f"{counted(int(seconds // 60), 'minute')} ago"
    return f"{counted(int(seconds // 3600), 'hour')} ago"


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
