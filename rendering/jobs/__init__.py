"""Render jobs: create, run, cancel, reconcile, clean up.

Every step that changes a job claims its row first (`lease`), so two
deliveries of one message, a late delivery after the reconciler re-sent
it, or a worker killed mid-job can never give two results: the run that
no longer owns the row throws its file away. Errors are sorted once
(`outcomes`). Tasks in `rendering.tasks` only call these services.

- `requests`: a job or preview request checked, and the export's notes.
- `create`: `job_create`, idempotent replays.
- `dispatch`: messages by task name, Pro's to the fast queue, each user a
  fair share of the workers.
- `lease`: claiming rows, heartbeats, cancel flags, ending a job once.
- `outcomes`: errors sorted into retry / fail / give up.
- `single`, `bulk`: running single-thread and bulk exports.
- `maintenance`: cancel, the reconciler, the clean-up.
- `storage`: a job's files."""

from rendering.jobs.bulk import bulk_assemble, bulk_start, part_run
from rendering.jobs.create import JobOutcome, job_create
from rendering.jobs.maintenance import job_cancel, jobs_clean_up, jobs_reconcile
from rendering.jobs.outcomes import CONNECTION_ERRORS
from rendering.jobs.requests import (
    CheckedRequest,
    JobRequest,
    checked_request,
    images_to_add,
    images_to_add_message,
    saved_arrangement,
)
from rendering.jobs.single import job_run

__all__ = [
    "CONNECTION_ERRORS",
    "CheckedRequest",
    "JobOutcome",
    "JobRequest",
    "bulk_assemble",
    "bulk_start",
    "checked_request",
    "images_to_add",
    "images_to_add_message",
    "job_cancel",
    "job_create",
    "job_run",
    "jobs_clean_up",
    "jobs_reconcile",
    "part_run",
    "saved_arrangement",
]
