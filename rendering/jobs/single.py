"""Running a single-thread job: render it, store its file, end it once."""

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from brand.selectors import BrandFiles, brand_files
from config.errors import NotFound
from rendering import adapters
from rendering.engine import outputs, renderer
from rendering.jobs.lease import CancelFlag, beat, beating, fail_job, finish_job, heartbeat, release, take
from rendering.jobs.outcomes import CONNECTION_ERRORS, EXPORT, RunErrors
from rendering.jobs.requests import saved_arrangement
from rendering.jobs.storage import SpooledZip, remove_strays, safe_name, save_file, stored_as_result
from rendering.models import Job
from threads.arrangement import engine_arrangement
from threads.models import Thread
from threads.selectors import thread_details

logger = logging.getLogger(__name__)


def job_run(*, job_id: int, redelivered: bool = False) -> None:
    """Render a single-thread job and store its file (`redelivered`: the
    broker handed the message out again, its worker gone: see `lease`)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    token = take(Job, job, lambda reason: fail_job(job, None, f"The job {reason}"), redelivered=redelivered)
    if token is None:
        return
    pages = {"done": 0, "total": 0}
    errors = RunErrors(
        label=f"job {job.pk}",
        wording=EXPORT,
        fail=lambda message: fail_job(job, token, message),
        release=lambda: release(Job, job.pk, token),
        on_stop=lambda: logger.info(
            "job %s stopped at page %s of %s: cancelled or taken over", job.pk, *pages.values()
        ),
    )
    with errors:
        job.refresh_from_db()
        checkpoint = heartbeat(lambda: beat(Job, job.pk, token, **pages), CancelFlag(job))

        def progress(done: int, total: int) -> None:
            pages.update(done=done, total=total)
            checkpoint()

        thread = exported_thread(job, job.thread_ids[0])
        files = render_thread(job, thread, job.kind, progress)
        with single_result(job, thread.title, files) as (name, content):
            store_result(job, token, name, content, **pages)


def exported_thread(job: Job, thread_id: int) -> Thread:
    """The thread with its posts and images, as the export draws it now."""
    return exported_threads(job, [thread_id])[0]


def exported_threads(job: Job, thread_ids: list[int]) -> list[Thread]:
    """The threads, as `exported_thread`, in the order given: three queries in all."""
    found = {thread.pk: thread for thread in thread_details(user=job.owner).filter(pk__in=thread_ids)}
    for thread_id in thread_ids:
        if thread_id not in found:
            raise NotFound(f"thread {thread_id} was deleted after the export was made.")
    return [found[thread_id] for thread_id in thread_ids]


def render_thread(
    job: Job,
    thread: Thread,
    kind: str,
    progress: Callable[[int, int], None] | None = None,
    *,
    brand: BrandFiles | None = None,
) -> list[renderer.RenderedFile]:
    """The files of `kind` of `thread` (from `exported_thread`), with the
    owner's brand kit (`brand`, when already read for another kind)."""
    data = as_exported(
        adapters.input_from_thread(thread),
        kind=kind,
        arrangement=job.arrangement or saved_arrangement(thread),
        placeholders=job.placeholders,
    )
    if brand is None:
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


@contextlib.contextmanager
def single_result(job: Job, title: str, files: list[renderer.RenderedFile]) -> Iterator[tuple[str, File]]:
    """The export's file and its name (from the thread's `title`): the one
    file, or a ZIP of them all."""
    stem = f"{safe_name(title)}-{job.kind}"
    if len(files) == 1:
        extension = files[0].name.rsplit(".", 1)[-1]
        yield f"{stem}.{extension}", ContentFile(files[0].content)
        return
    index = [renderer.page_entry(file.name, number, file) for number, file in enumerate(files, start=1)]
    with SpooledZip() as packed:
        for file in files:
            packed.add(file.name, file.content)
        packed.add("index.json", outputs.index_json(index))
        yield f"{stem}.zip", packed.file(f"{stem}.zip")


def store_result(job: Job, token: uuid.UUID, name: str, content: File, **progress: int) -> None:
    with beating(lambda: beat(Job, job.pk, token, **progress)):
        stored = save_file(f"exports/{job.pk}/{name}", content)
    try:
        finished = finish_job(
            job,
            token,
            Job.Status.SUCCEEDED,
            result=stored,
            result_name=name,
            result_size=content.size,
            error="",
            **progress,
        )
    except CONNECTION_ERRORS:
        if not stored_as_result(job.pk, stored):
            default_storage.delete(stored)  # the retry stores its own
        raise
    if not finished:
        default_storage.delete(stored)  # cancelled, or another run finished first
    else:
        remove_strays(job.pk, stored)
