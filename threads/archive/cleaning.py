"""Cleaning an archive's pictures (each decoded and re-encoded as an upload
is: image_clean) beside the saving, in processes of their own: Pillow's
JPEG encoder holds the GIL, so threads cleaned no faster than one and took
turns with the saving (an import of 2,000 pictures: 68 s in threads).

billiard's pool, not the standard library's: a Celery worker's pool process
is a daemon, which `multiprocessing` forbids to have children. Spawned, not
forked: a fork would share the worker's database connections. Nothing here
needs Django, so a cleaner starts by importing Pillow alone."""

from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

import billiard

from config.errors import Invalid
from threads.images import CleanImage, ImageLimits, image_clean


def cleaned(content: bytes | None, limits: ImageLimits) -> CleanImage | None:
    """The picture cleaned as an upload is, or None when it is not one."""
    if content is None:
        return None
    try:
        return image_clean(content, limits=limits, field="file")
    except Invalid:
        return None


class Cleaners:
    """`count` cleaning processes (threads where processes cannot start),
    each picture's cleaning a Future. Leaving the block waits for them."""

    def __init__(self, count: int) -> None:
        self.threads: ThreadPoolExecutor | None = None
        try:
            self.pool: Any = billiard.get_context("spawn").Pool(count)
        except OSError:
            self.pool = None
            self.threads = ThreadPoolExecutor(count, thread_name_prefix="archive-pictures")

    def submit(self, content: bytes | None, limits: ImageLimits) -> "Future[CleanImage | None]":
        if self.threads is not None:
            return self.threads.submit(cleaned, content, limits)
        future: Future[CleanImage | None] = Future()
        self.pool.apply_async(
            cleaned, (content, limits), callback=future.set_result, error_callback=future.set_exception
        )
        return future

    def __enter__(self) -> "Cleaners":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.threads is not None:
            self.threads.shutdown(cancel_futures=error is not None)
            return
        if error is None:
            self.pool.close()
        else:
            self.pool.terminate()  # cancelled or failed: no need to finish the pictures
        self.pool.join()
