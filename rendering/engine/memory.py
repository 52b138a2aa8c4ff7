"""Keeping a render's freed memory for the next one.

A slide's big buffers (its raster, the raster's bytes, the PNG) are a few
megabytes each. glibc serves such sizes with fresh pages from the kernel
(mmap) and gives them back when they are freed, or trims them off the top
of its heap, so every slide page-faulted tens of megabytes of new, zeroed
pages: 5 ms of a 13 ms slide on these machines. With the thresholds raised,
freed buffers stay in the heap and the next slide reuses them: 13.4 → 7.9
ms a slide (bench/part_profile.py). The heap then stays near the peak of
one render, which it reaches on every slide anyway."""

import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

# mallopt(3) parameters, and the largest mmap threshold glibc accepts on 64-bit.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; False where
    there is no glibc `mallopt` (musl, macOS), which changes nothing else."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if not done:
        logger.warning("mallopt refused the thresholds; renders page-fault their buffers")
    return done
