"""Bulk exports: parts of consecutive threads (`split`), each rendered on
any worker into a ZIP of its own, then one assembler copies the parts into
the export's ZIP, a folder per thread."""

import contextlib
import json
import logging
import re
import uuid
import zipfile
from collections.abc import Iterator
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from brand.selectors import brand_files
from rendering.engine import renderer
from rendering.jobs.dispatch import dispatch, hand_over, send_assembly, send_part
from rendering.jobs.lease import (
    CancelFlag,
    beat,
    beating,
    claim,
    fail_job,
    finish_job,
    heartbeat,
    release,
    stale_before,
    take,
)
from rendering.jobs.outcomes import CONNECTION_ERRORS, EXPORT, PART, RunErrors, Stopped
from rendering.jobs.single import exported_threads, render_thread
from rendering.jobs.storage import (
    ZIP_TIME,
    SpooledZip,
    add_to_zip,
    remove_part_files,
    remove_strays,
    safe_name,
    stored_as_result,
    stored_file,
)
from rendering.jobs.zipjoin import ZipJoin
from rendering.models import Job, JobPart
from threads.models import Thread

logger = logging.getLogger(__name__)


def bulk_start(*, job_id: int) -> None:
    """Split a bulk job into parts (`split`) and send the parts out."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    if claim(Job, job_id) is None and not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).exists():
        return
    with transaction.atomic():
        # Split once: a redelivered message finds the parts (and, its
        # threads' posts edited meanwhile, must not split them otherwise).
        Job.objects.select_for_update().filter(pk=job_id).values_list("pk", flat=True).first()
        if not JobPart.objects.filter(job_id=job_id).exists():
            posts = dict(
                Thread.objects.filter(pk__in=job.thread_ids)
                .annotate(count=Count("posts"))
                .values_list("pk", "count")
            )
            slides = [(posts.get(thread_id, 0) + 2) * len(job.kinds) for thread_id in job.thread_ids]
            JobPart.objects.bulk_create(
                JobPart(job=job, number=number, thread_ids=run)
                for number, run in split(job.thread_ids, slides, settings.BULK_PART_SLIDES)
            )
        Job.objects.filter(pk=job_id).update(total=len(job.thread_ids), heartbeat=timezone.now())
    # Split before (a redelivered message): the parts already sent go again
    # (a run ignores a part that is not queued); the rest wait their turn.
    for part in JobPart.objects.filter(job_id=job_id, status=JobPart.Status.QUEUED, enqueued__isnull=False):
        send_part(part, fast=job.fast)
    dispatch(owner_id=job.owner_id)
    assemble_when_complete(job)


SPREAD = 8  # an export of this many threads or more is split into at least this many parts
# The export ends with parts of these shares of a full one (the last ones
# first): workers that took the last full parts end about together.
TAIL = (4, 4, 2)


def split(thread_ids: list[int], slides: list[int], part_slides: int) -> list[tuple[int, list[int]]]:
    """The export's threads in runs of consecutive threads, each of at most
    `part_slides` slides (`slides`: each thread's, estimated; a longer
    thread has a part of its own), numbered by their first thread's place.
    A part costs its run a dozen queries and a message whatever its size,
    so short threads go together; but a run holds at most 1/SPREAD of the
    threads, so that a small export still spreads over the workers.

    The last runs are a half and two quarters of a full one (`TAIL`): with
    parts all alike, a worker that took the last one worked on alone for
    a whole part (two workers and 25 parts: 0.2 s of a 3.5 s export);
    now, of two workers, the first to end waits a quarter part at most."""
    most = max(1, len(thread_ids) // SPREAD)
    sizes = list(zip(thread_ids, slides, strict=True))
    tail: list[list[tuple[int, int]]] = []
    for share in TAIL:  # from the export's end
        if not sizes:
            break
        last = runs(sizes[::-1], part_slides // share, max(1, most // share))[0][::-1]
        tail.insert(0, last)
        del sizes[-len(last) :]
    numbered: list[tuple[int, list[int]]] = []
    place = 1
    for run in runs(sizes, part_slides, most) + tail:
        numbered.append((place, [thread_id for thread_id, _ in run]))
        place += len(run)
    return numbered


def runs(sizes: list[tuple[int, int]], part_slides: int, most: int) -> list[list[tuple[int, int]]]:
    """`sizes` (thread, slides) cut in order into runs of at most
    `part_slides` slides and `most` threads; a longer thread alone."""
    cut: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    size = 0
    for thread_id, thread_slides in sizes:
        if run and (size + thread_slides > part_slides or len(run) >= most):
            cut.append(run)
            run, size = [], 0
        run.append((thread_id, thread_slides))
        size += thread_slides
    if run:
        cut.append(run)
    return cut


def part_run(*, part_id: int, redelivered: bool = False) -> None:
    """Render a part's threads of a bulk export into one stored ZIP
    (`redelivered` as for `job_run`)."""
    part = JobPart.objects.select_related("job", "job__owner").filter(pk=part_id).first()
    if (
        part is None
        or part.status in (JobPart.Status.SUCCEEDED, JobPart.Status.FAILED)
        or part.job.is_finished
    ):
        return
    job = part.job
    token = take(
        JobPart, part, lambda reason: part_failed(part, None, f"It {reason}"), redelivered=redelivered
    )
    if token is None:
        return
    checkpoint = heartbeat(lambda: part_beat(part_id, token, job.pk), CancelFlag(job))
    rendering: list[int] = []  # the thread under way, named if it fails
    errors = RunErrors(
        label=f"part {part.number} of job {job.pk}",
        wording=PART,
        fail=lambda message: part_failed(part, token, message, *rendering[-1:]),
        release=lambda: release(JobPart, part_id, token),
    )
    index: list[dict[str, Any]] = []
    path = f"export-parts/{job.pk}/{part.number:03d}.zip"
    uploading = partial(beating, lambda: part_beat(part_id, token, job.pk))
    with (
        errors,
        stored_file(path, uploading=uploading) as written,
        zipfile.ZipFile(written.file, "w", zipfile.ZIP_STORED) as packed,
    ):
        brand = brand_files(user=job.owner, style=job.style)
        threads = exported_threads(job, part.thread_ids)
        for place, thread in enumerate(threads, start=part.number):
            rendering.append(thread.pk)
            folder = f"{place:03d}-{safe_name(thread.title)}"
            entries: list[dict[str, Any]] = []
            for kind in job.kinds:  # each kind's files into the ZIP before the next is rendered
                files = render_thread(job, thread, kind, lambda *_: checkpoint(), brand=brand)
                for number, file in enumerate(files, start=1):
                    add_to_zip(packed, f"{folder}/{file.name}", file.content)
                    entries.append(renderer.page_entry(file.name, number, file))
                del files
            index.append({"thread": thread.pk, "folder": folder, "files": entries})
        rendering.clear()
    if errors.caught:
        return
    stored = written.name
    done = JobPart.objects.filter(pk=part_id, run_token=token, status=JobPart.Status.RUNNING).update(
        status=JobPart.Status.SUCCEEDED, file=stored, index=index, heartbeat=timezone.now()
    )
    if not done or not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        done=F("done") + len(part.thread_ids), heartbeat=timezone.now()
    ):
        default_storage.delete(stored)  # another run has it, or the export was cancelled meanwhile
        return
    if not hand_over(part=part):  # a part handed on is not done: the export is not complete
        assemble_when_complete(job)


def part_beat(part_id: int, token: uuid.UUID, job_id: int) -> None:
    """A part's heartbeat, which also stops it when its export was cancelled or failed."""
    beat(JobPart, part_id, token)
    if not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).exists():
        raise Stopped


def part_failed(part: JobPart, token: uuid.UUID | None, reason: str, thread_id: int | None = None) -> None:
    """End the part and its export with `reason`, naming the thread it
    was rendering (`thread_id`), or its only one."""
    rows = JobPart.objects.filter(pk=part.pk).exclude(
        status__in=[JobPart.Status.SUCCEEDED, JobPart.Status.FAILED]
    )
    if token is not None:
        rows = rows.filter(run_token=token)
    if not rows.update(status=JobPart.Status.FAILED, error=reason[:500]):
        return
    if thread_id is None and len(part.thread_ids) == 1:
        thread_id = part.thread_ids[0]
    if re.match(r"thread \d+ ", reason):  # names its thread already
        message = reason
    elif thread_id is None:
        message = f"threads {part.number} to {part.number + len(part.thread_ids) - 1} of the export: {reason}"
    else:
        title = Thread.objects.filter(pk=thread_id).values_list("title", flat=True).first()
        message = f"thread {thread_id}" + (f" ({title!r})" if title else "") + f": {reason}"
    fail_job(part.job, None, message)


def assemble_when_complete(job: Job) -> None:
    counts = JobPart.objects.filter(job=job).aggregate(
        parts=Count("pk"), left=Count("pk", filter=~Q(status=JobPart.Status.SUCCEEDED))
    )
    if counts["parts"] and not counts["left"]:
        send_assembly(job)


def bulk_assemble(*, job_id: int) -> None:
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

    def release_after_lost_connection() -> None:
        if stored and not stored_as_result(job_id, stored):
            default_storage.delete(stored)
        release_assembly(job_id, token)

    errors = RunErrors(
        label=f"assembly of job {job_id}",
        wording=EXPORT,
        fail=lambda message: fail_job(job, token, message),
        release=release_after_lost_connection,
        # Cancelled: its parts were removed while this copied them.
        still_mine=Job.objects.filter(pk=job_id, run_token=token, status=Job.Status.RUNNING).exists,
    )
    uploading = partial(beating, lambda: beat(Job, job.pk, token))
    with errors:
        with stored_file(f"exports/{job.pk}/{name}", uploading=uploading) as written:
            size = write_bulk_zip(job, parts, token, written.file)
        stored = written.name
        finished = finish_job(
            job, token, Job.Status.SUCCEEDED, result=stored, result_name=name, result_size=size, error=""
        )
    if errors.caught:
        return
    if finished:
        remove_part_files(job_id)
        remove_strays(job_id, stored)
    else:
        default_storage.delete(stored)


# A part's copy (40 slides: 6 MB) takes a few ms, less than reading the
# cancel flag: the assembly reads it at most this often (seconds).
ASSEMBLY_CANCEL_EVERY = 0.02


def write_bulk_zip(job: Job, parts: list[JobPart], token: uuid.UUID, target: IO[bytes]) -> int:
    """The export's ZIP, written to `target`: each part's files copied as
    they stand (`ZipJoin`), then index.json. Returns its size."""
    index: list[dict[str, Any]] = []
    checkpoint = heartbeat(lambda: beat(Job, job.pk, token), CancelFlag(job, every=ASSEMBLY_CANCEL_EVERY))
    threads = Thread.objects.filter(pk__in=[thread_id for part in parts for thread_id in part.thread_ids])
    about = {
        row["id"]: {key: row[key] for key in ("title", "author_name", "handle")}
        for row in threads.values("id", "title", "author_name", "handle")
    }
    joined = ZipJoin(target)
    for part in parts:
        files = [folder_entries(thread) for thread in part.index]
        names = [entry["file"] for entries in files for entry in entries]
        with default_storage.open(str(part.file.name)) as packed:
            if not joined.add_zip(packed, checkpoint, names=names):
                with renamed(packed, names) as copy:
                    joined.add_zip(copy, checkpoint)
        for thread, entries in zip(part.index, files, strict=True):
            index.append(
                {
                    "folder": thread["folder"],
                    "thread": thread["thread"],
                    **about.get(thread["thread"], {}),
                    "files": entries,
                }
            )
    summary = {"export": job.pk, "kinds": job.kinds, "format": job.format, "threads": index}
    content = json.dumps(summary, ensure_ascii=False, indent=2).encode()
    return joined.close([(zipfile.ZipInfo("index.json", ZIP_TIME), content)])


def folder_entries(thread: dict[str, Any]) -> list[dict[str, Any]]:
    """A thread's lines of a part's index, each file named in its folder."""
    entries = [part_index_entry(item) for item in thread["files"]]
    return [{**entry, "file": f"{thread['folder']}/{entry['file']}"} for entry in entries]


@contextlib.contextmanager
def renamed(packed: IO[bytes], names: list[str]) -> Iterator[IO[bytes]]:
    """A part stored before its files had their thread's folder in their
    names (a deploy during a bulk export), its files under `names`."""
    with zipfile.ZipFile(packed) as source, SpooledZip() as copy:
        for info, name in zip(source.infolist(), names, strict=True):
            copy.add(name, source.read(info))
        yield copy.file(name="part.zip")


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
