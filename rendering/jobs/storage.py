"""A job's files: stored under a free name (StorageFull when there is no
room), zipped, named, and removed when the job no longer needs them."""

import contextlib
import dataclasses
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from typing import IO

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

from rendering.jobs.outcomes import CONNECTION_ERRORS, NO_ROOM, StorageFull
from rendering.models import Job, JobPart

ZIP_TIME = (2020, 1, 1, 0, 0, 0)
SPOOL_BYTES = 8 * 1024 * 1024


def save_file(name: str, content: File) -> str:
    """Store a file under `name` with a random suffix, a name no other save
    picks. When the storage is full, what was partly written is removed and
    StorageFull raised.

    Not the first free name: two runs of one job (a slow one, and the run
    that took it over) both found `name` free, and on S3 the slow upload
    then overwrote the other's result and, ending second, deleted it: the
    job succeeded without a file (4 of 16 on a 200 ms, 5 % loss link,
    bench/crosshost_drill.py). Owners see `result_name`, never this one."""
    name = free_name(name)
    try:
        return default_storage.save(name, content)
    except OSError as error:
        if error.errno not in NO_ROOM:
            raise
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        raise StorageFull(name) from error


def free_name(name: str) -> str:
    root, extension = os.path.splitext(name)
    return default_storage.get_available_name(default_storage.get_alternative_name(root, extension))


@dataclasses.dataclass
class Written:
    file: IO[bytes]
    name: str = ""  # its name in storage, once written


@contextlib.contextmanager
def stored_file(
    name: str, *, uploading: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext
) -> Iterator[Written]:
    """A file written into storage under a free name (as `save_file`),
    its stored name in `name` of what this yields once the body ends. On
    local storage it is written in place, not copied there from a spool
    (a bulk export's ZIP: hundreds of MB written once, not twice);
    elsewhere it is spooled (in memory up to SPOOL_BYTES, then in a
    temporary file), then uploaded within
    `uploading()` (a heartbeat). A body that raises leaves nothing stored;
    no room raises StorageFull. A process killed while writing in place
    leaves its file: the job's end removes its folders (`remove_part_files`,
    `remove_strays`)."""
    if not isinstance(default_storage, FileSystemStorage):  # not on this machine's disk (S3)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            written = Written(spool)
            yield written
            spool.seek(0)
            with uploading():
                written.name = save_file(name, File(spool, name=os.path.basename(name)))
        return
    stored = free_name(name)
    path = default_storage.path(stored)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with full_as_storage_full(stored):
        file = open(path, "xb")  # noqa: SIM115 (closed below; "x": never another run's file)
    try:
        with full_as_storage_full(stored), file:
            written = Written(file)
            yield written
        if default_storage.file_permissions_mode is not None:
            os.chmod(path, default_storage.file_permissions_mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(path)
        raise
    written.name = stored


@contextlib.contextmanager
def full_as_storage_full(name: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        if error.errno in NO_ROOM:
            raise StorageFull(name) from error
        raise


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


class SpooledZip:
    """A stored (uncompressed) ZIP written an entry at a time: in memory up
    to SPOOL_BYTES, then in a temporary file, so a large one is never all
    in memory; `file()` hands it to `save_file`, which streams it."""

    def __init__(self) -> None:
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed on exit)
        self.archive = zipfile.ZipFile(self.spool, "w", zipfile.ZIP_STORED)

    def __enter__(self) -> "SpooledZip":
        return self

    def __exit__(self, *_: object) -> None:
        self.archive.close()
        self.spool.close()

    def add(self, name: str, content: bytes) -> None:
        add_to_zip(self.archive, name, content)

    def file(self, name: str) -> File:
        self.archive.close()
        self.spool.seek(0)
        return File(self.spool, name=name)


def add_to_zip(archive: zipfile.ZipFile, name: str, content: bytes) -> None:
    archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), content)


def safe_name(text: str, limit: int = 60) -> str:
    """A file name anyone's system accepts: ASCII letters, digits and dashes,
    cut at a word's end (a single word longer than `limit` is cut short)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    if len(slug) > limit:
        head = slug[: limit + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:limit]
    return slug.strip("-") or "thread"


def remove_part_files(job_id: int) -> None:
    """Every file of the job's parts, with any a run left that no row names
    (killed while writing its part in place, or before its row said so)."""
    remove_folder(f"export-parts/{job_id}")
    JobPart.objects.filter(job_id=job_id).exclude(file="").update(file="")


def remove_strays(job_id: int, result: str = "") -> None:
    """Once a job has ended, any file in its folder but its `result` is a
    run's left behind: a run killed between storing its file and ending
    (Celery cancels the tasks of a worker that lost its broker), or while
    writing it in place; no row names it. No run of the job can store
    another after it ended."""
    remove_folder(f"exports/{job_id}", keep=result)


def remove_folder(folder: str, *, keep: str = "") -> None:
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        if f"{folder}/{name}" != keep:
            default_storage.delete(f"{folder}/{name}")


def remove_source(job_id: int) -> None:
    """An archive import's uploaded ZIP, kept only while the job may run."""
    name = Job.objects.filter(pk=job_id).exclude(source="").values_list("source", flat=True).first()
    if name:
        default_storage.delete(name)
        Job.objects.filter(pk=job_id).update(source="")
