"""X archive imports: the upload becomes a job, and a worker turns the
archive's threads into saved threads with their pictures and avatar.

The job is a `rendering.models.Job` of kind `archive_import`, run under the
same protocol as exports (rendering/jobs/lease.py): the worker claims the row,
beats while it works, and ends it once; a lost message is sent again by
the reconciler; the stored ZIP is deleted when the job ends. Saving goes
through `thread_save_imported`, keyed by the thread's first post id, so
importing the same archive again finds every thread as it left it."""

import contextlib
import datetime
import hashlib
import io
import itertools
import logging
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict, Invalid
from rendering.jobs.dispatch import send
from rendering.jobs.lease import CancelFlag, beat, fail_job, finish_job, heartbeat, release, take
from rendering.jobs.outcomes import RunErrors, StorageFull, Wording
from rendering.jobs.storage import save_file
from rendering.models import Job
from threads import services
from threads.archive.chains import Media, Tweet, find_threads, imported_thread, reduced
from threads.archive.cleaning import Cleaners, cleaned
from threads.archive.reader import Account, ArchiveLimits, ArchiveRefused, XArchive, looks_like_zip
from threads.images import CleanImage, image_clean
from threads.importers.model import check_limits
from threads.models import PostImage, Thread

logger = logging.getLogger(__name__)

MIN_POSTS_MOST = 100
BEAT_EVERY_TWEETS = 200  # a heartbeat check costs a Redis round trip: not one per tweet
# Pictures are decoded and re-encoded (image_clean, ~11 ms for a 100 KB
# photo; 2,000 of them are 22 s of CPU) in processes of their own
# (cleaning.py), ahead of the thread being saved, beside the database work.
# At most PICTURES_AHEAD pictures wait, cleaned or being cleaned: it bounds
# the memory they take.
CLEANERS = 2
PICTURES_AHEAD = 16
THREADS_PER_COMMIT = 25


def archive_limits() -> ArchiveLimits:
    return ArchiveLimits(
        max_uncompressed=settings.ARCHIVE_MAX_UNCOMPRESSED,
        max_ratio=settings.ARCHIVE_MAX_RATIO,
        max_entries=settings.ARCHIVE_MAX_ENTRIES,
    )


# --- Starting ---------------------------------------------------------------------


def archive_import_start(*, user: User, upload: UploadedFile, min_posts: int = 2) -> Job:
    """Store the uploaded archive and queue its import. The upload is
    checked for size and the ZIP signature here; everything inside it by
    the worker. One archive import at a time per user. Charges no exports."""
    check_upload(upload)
    if not 1 <= min_posts <= MIN_POSTS_MOST:
        raise Invalid(
            f"The fewest posts in a thread must be between 1 and {MIN_POSTS_MOST}.", field="min_posts"
        )
    check_none_running(user)
    try:
        # Django has spooled a large upload to a temporary file: the storage
        # moves or copies it in chunks, never the whole archive in memory.
        stored = save_file(f"archives/{user.pk}/{uuid.uuid4().hex}.zip", upload)
    except StorageFull:
        raise Invalid(
            "there is no room to store the archive now; please try again later.", field="file"
        ) from None
    try:
        return queued_job(user, stored, min_posts)
    except BaseException:
        default_storage.delete(stored)
        raise


def check_upload(upload: UploadedFile) -> None:
    limit = settings.ARCHIVE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise Invalid(
            f"The archive is {upload.size / 1024**2:,.0f} MB; at most {limit / 1024**2:,.0f} MB is accepted.",
            field="file",
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if not looks_like_zip(head):
        raise Invalid(
            "This is not a ZIP file: upload the ZIP that X's “Download an archive of your data” gives you.",
            field="file",
        )


def check_none_running(user: User) -> None:
    if Job.objects.filter(owner=user, kind=Job.Kind.ARCHIVE_IMPORT, status__in=Job.ACTIVE).exists():
        raise Conflict(
            "An archive import of yours is already under way; wait for it to finish (or cancel it).",
            field="file",
        )


@transaction.atomic
def queued_job(user: User, stored: str, min_posts: int) -> Job:
    # The user's row, locked: two uploads at once cannot both start.
    User.objects.select_for_update().filter(pk=user.pk).first()
    check_none_running(user)
    job = Job.objects.create(
        owner=user,
        kind=Job.Kind.ARCHIVE_IMPORT,
        style={},
        format="zip",
        source=stored,
        outcome={"min_posts": min_posts},
        enqueued=timezone.now(),
        fast=user.plan.fast_export,
    )
    transaction.on_commit(lambda: send(job))
    return job


# --- Running ---------------------------------------------------------------------


def archive_import_run(*, job_id: int) -> None:
    """The worker's side: claim the job, import, end it once."""
    job = Job.objects.filter(pk=job_id, kind=Job.Kind.ARCHIVE_IMPORT).select_related("owner").first()
    if job is None or job.is_finished:
        return
    token = take(Job, job, lambda reason: fail_job(job, None, f"The import {reason}"))
    if token is None:
        return
    progress = {"done": 0, "total": 0}
    checkpoint = heartbeat(lambda: beat(Job, job.pk, token, **progress), CancelFlag(job))

    def report(done: int, total: int) -> None:
        progress.update(done=done, total=total)
        checkpoint()

    errors = RunErrors(
        label=f"archive import {job.pk}",
        wording=Wording(
            storage_full="The import failed: there was no room left to store its pictures; try again later.",
            unexpected="The import failed unexpectedly; the error was logged for us to fix.",
            timed_out=f"The import took longer than {settings.ARCHIVE_TIME_LIMIT} s; "
            "the threads saved so far stay.",
        ),
        fail=lambda message: fail_job(job, token, message),
        release=lambda: release(Job, job.pk, token),
    )
    with errors, default_storage.open(str(job.source.name)) as stored:
        outcome = archive_import(
            owner=job.owner, fileobj=stored, min_posts=job.outcome.get("min_posts", 2), progress=report
        )
        finish_job(
            job,
            token,
            Job.Status.SUCCEEDED,
            outcome={**job.outcome, **outcome.as_json()},
            error="",
            **progress,
        )


@dataclass
class Outcome:
    threads: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pictures: int = 0
    pictures_missing: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def archive_import(
    *, owner: User, fileobj: IO[bytes], min_posts: int, progress: Callable[[int, int], None]
) -> Outcome:
    """Every thread of the archive in `fileobj`, saved for `owner`.
    Raises ArchiveRefused (an Invalid naming `file`) for an archive it will
    not read; a thread it cannot save is skipped, with the reason."""
    archive = XArchive.open(fileobj, archive_limits())
    try:
        account = archive.account()
        chains = find_threads(read_tweets(archive, account, progress), account=account, min_posts=min_posts)
        avatar = archive_avatar(archive, account)
        outcome = Outcome()
        with Cleaners(CLEANERS) as pool:
            readied = enumerate(with_pictures(archive, owner, chains, pool))
            for batch in itertools.batched(readied, THREADS_PER_COMMIT):
                # One commit for several threads (each commit waits for the
                # disk: a third of the time, one by one). A batch cut short
                # (a lost connection, a cancel) is undone whole; importing
                # again redoes it, as every save is keyed by its source.
                with transaction.atomic():
                    for done, ready in batch:
                        import_chain(
                            archive,
                            owner,
                            ready,
                            account,
                            avatar,
                            outcome,
                            partial(progress, done, len(chains)),
                        )
        progress(len(chains), len(chains))
        return outcome
    finally:
        archive.close()


def read_tweets(archive: XArchive, account: Account, progress: Callable[[int, int], None]) -> list[Tweet]:
    tweets = []
    for count, raw in enumerate(archive.tweets(), start=1):
        tweet = reduced(raw, account=account)
        if tweet is not None:
            tweets.append(tweet)
        if count % BEAT_EVERY_TWEETS == 0:
            progress(0, 0)
    return tweets


@dataclass
class Avatar:
    url: str
    raw: bytes  # the archive's file: what `thread_set_avatar` is given
    clean: CleanImage  # what it stores, so a stored avatar can be compared
    stored: str = ""  # once stored for one thread: the file the others copy


def archive_avatar(archive: XArchive, account: Account) -> Avatar | None:
    found = archive.avatar(account)
    if found is None:
        return None
    url, raw = found
    try:
        return Avatar(url=url, raw=raw, clean=image_clean(raw, limits=services.image_limits(), field="file"))
    except Invalid:
        return None  # threads keep the initials; the import goes on


@dataclass
class Ready:
    """A chain, its pictures being cleaned (by post id and address), and
    when its saved thread last changed (None: not saved yet)."""

    chain: list[Tweet]
    pictures: dict[tuple[str, str], Future[CleanImage | None]]
    saved: datetime.datetime | None


def with_pictures(
    archive: XArchive, owner: User, chains: list[list[Tweet]], pool: Cleaners
) -> Iterator[Ready]:
    """Each chain once the cleaning of its pictures has been started, with
    up to PICTURES_AHEAD pictures of the chains after it: only those its
    saved thread does not have yet (a second import cleans none)."""
    waiting: deque[Ready] = deque()
    pictures = 0
    saved = saved_threads(owner, chains)
    for chain in chains:
        key = str(chain[0].id)
        have = filled_pictures(owner, key) if key in saved else set()
        wanted = {
            (str(tweet.id), media.source_url): media
            for tweet in chain
            for media in tweet.media
            if media.is_picture and (str(tweet.id), media.source_url) not in have
        }
        files = {key: picture_file(archive, media) for key, media in wanted.items()}
        limits = services.image_limits()
        cleaning = {picture: pool.submit(content, limits) for picture, content in files.items()}
        waiting.append(Ready(chain, cleaning, saved.get(key)))
        pictures += len(wanted)
        while waiting and pictures > PICTURES_AHEAD:
            pictures -= len(waiting[0].pictures)
            yield waiting.popleft()
    yield from waiting


def saved_threads(owner: User, chains: list[list[Tweet]]) -> dict[str, datetime.datetime]:
    """When each chain's thread saved by an earlier import last changed, by source key."""
    keys = [str(chain[0].id) for chain in chains]
    saved: dict[str, datetime.datetime] = {}
    for start in range(0, len(keys), 1000):
        rows = Thread.objects.filter(owner=owner, source_key__in=keys[start : start + 1000])
        saved.update(rows.values_list("source_key", "updated"))
    return saved


def filled_pictures(owner: User, key: str) -> set[tuple[str, str]]:
    rows = PostImage.objects.filter(post__thread__owner=owner, post__thread__source_key=key)
    return set(rows.exclude(file="").values_list("post__source_id", "source_url"))


def import_chain(
    archive: XArchive,
    owner: User,
    ready: Ready,
    account: Account,
    avatar: Avatar | None,
    outcome: Outcome,
    tick: Callable[[], None],
) -> None:
    tick()
    chain = ready.chain
    imported = imported_thread(chain, account=account, avatar_url=avatar.url if avatar else None)
    try:
        check_limits(imported.posts, services.import_limits())
        thread, created = services.thread_save_imported(owner=owner, imported=imported)
    except Invalid as error:  # InvalidImport: a limit; Invalid: a field too long to store
        outcome.skipped.append(
            {"source_url": imported.source_url, "posts": len(imported.posts), "reason": error.message}
        )
        return
    attach_pictures(archive, thread, ready, outcome, tick)
    if avatar is not None and not same_avatar(thread, avatar):
        give_avatar(thread, avatar)
    outcome.threads.append(thread.pk)
    if created:
        outcome.created += 1
    elif ready.saved and Thread.objects.filter(pk=thread.pk, updated=ready.saved).exists():
        outcome.unchanged += 1
    else:
        outcome.updated += 1


def attach_pictures(
    archive: XArchive, thread: Thread, ready: Ready, outcome: Outcome, tick: Callable[[], None]
) -> None:
    """Fill each of the thread's pictures still to add from the archive's
    file for it; a video (an mp4) or a file the archive lacks stays a
    placeholder with its address on X."""
    media = {(str(tweet.id), item.source_url): item for tweet in ready.chain for item in tweet.media}
    waiting = (
        PostImage.objects.filter(post__thread=thread, file="").exclude(source_url="").select_related("post")
    )
    fills = []
    for image in waiting.order_by("post__position", "order"):
        tick()
        key = (image.post.source_id, image.source_url)
        cleaning = ready.pictures.get(key)
        clean = cleaning.result() if cleaning else picture(archive, media.get(key))
        if clean is None:
            outcome.pictures_missing += 1
            continue
        fills.append((image, clean))
    # One write for the thread's pictures (one at a time cost 7 queries each).
    if fills:
        outcome.pictures += services.placeholders_fill(thread=thread, fills=fills)


def picture_file(archive: XArchive, media: Media | None) -> bytes | None:
    """A picture's file from the archive, if it has it (read in the
    importing thread: a ZipFile is not made for reads from several)."""
    if media is None or not media.is_picture:
        return None
    info = archive.media(media.file)
    limit = services.image_limits().max_bytes
    if info is None or info.file_size > limit:
        return None
    try:
        return archive.read(info, limit)
    except ArchiveRefused:
        return None


def picture(archive: XArchive, media: Media | None) -> CleanImage | None:
    return cleaned(picture_file(archive, media), services.image_limits())


def give_avatar(thread: Thread, avatar: Avatar) -> None:
    """The account's avatar on the thread: cleaned and stored by
    `thread_set_avatar` for the import's first thread, a copy of that file
    for the others (cleaning the same picture again for each of a
    thousand threads took 20 s)."""
    if avatar.stored:
        with contextlib.suppress(OSError):  # the first thread deleted meanwhile: clean it again
            avatar_copy(thread=thread, stored=avatar.stored)
            return
    avatar.stored = str(services.thread_set_avatar(thread=thread, upload=io.BytesIO(avatar.raw)).avatar.name)


@transaction.atomic
def avatar_copy(*, thread: Thread, stored: str) -> None:
    """As `thread_set_avatar` does, with a copy of a file it stored."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    services.delete_files_on_commit([thread.avatar.name])
    thread.avatar.name = services.copy_stored(stored, folder="avatars")
    thread.save(update_fields=["avatar", "updated"])


def same_avatar(thread: Thread, avatar: Avatar) -> bool:
    if not thread.avatar:
        return False
    try:
        with default_storage.open(str(thread.avatar.name)) as stored:
            return hashlib.sha256(stored.read()).hexdigest() == avatar.clean.sha256
    except OSError:
        return False
