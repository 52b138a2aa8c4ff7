"""One stored ZIP made of others (a bulk export's parts), without reading
their files: each source's entries are copied as they stand, local headers
and bytes, by the kernel where both sides are files (no decompressing, no
checksum computed again, nothing through Python), then one central
directory names them all at their new places.

A ZIP's entries come first and its central directory last, and only the
directory holds offsets: so a source's entries, copied whole to a new
offset, are read right by a directory that adds that offset to each.
`zipfile` writes that directory (ZIP64 records included past 4 GiB) from
its `filelist`, the list `infolist()` returns: the copied entries go into
it before the ZIP's own entries (index.json) are written."""

import errno
import io
import os
import zipfile
from collections.abc import Callable
from typing import IO

COPY_STEP = 8 * 1024 * 1024  # bytes between two calls of `between` (a cancel check)
READ_STEP = 1024 * 1024  # where the kernel cannot copy: what is in memory at once
# copy_file_range refused (another file system on an old kernel, a file that
# is no regular file): copy by reading and writing.
NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


class ZipJoin:
    """A stored ZIP written to `target` (open for writing, at its start):
    `add_zip` appends a source's entries, `close` writes `extra` entries of
    its own and the central directory, and returns the ZIP's size."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.members: list[zipfile.ZipInfo] = []

    def add_zip(
        self, source: IO[bytes], between: Callable[[], None] = lambda: None, names: list[str] | None = None
    ) -> bool:
        """Append the entries of the ZIP `source` (seekable), calling
        `between` before each step of the copy; unless its files are not
        named `names` (when given): then nothing is copied, and False
        returned."""
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            length = archive.start_dir  # its entries end where its directory starts
        if names is not None and [member.filename for member in members] != names:
            return False
        start = self.target.tell()
        copy_bytes(source, self.target, length, between)
        for member in members:
            member.header_offset += start
        self.members += members
        return True

    def close(self, extra: list[tuple[zipfile.ZipInfo, bytes]]) -> int:
        with zipfile.ZipFile(self.target, "w", zipfile.ZIP_STORED) as archive:
            archive.filelist += self.members
            archive.NameToInfo.update((member.filename, member) for member in self.members)
            for info, content in extra:
                archive.writestr(info, content)
        return self.target.tell()


def copy_bytes(source: IO[bytes], target: IO[bytes], length: int, between: Callable[[], None]) -> None:
    """The first `length` bytes of `source` to `target`'s position, which
    moves past them; COPY_STEP at a time."""
    start = target.tell()
    target.flush()
    copied = 0
    try:
        source_fd, target_fd = source.fileno(), target.fileno()
        while copied < length:
            between()
            step = os.copy_file_range(
                source_fd, target_fd, min(COPY_STEP, length - copied), copied, start + copied
            )
            if not step:
                raise zipfile.BadZipFile(f"a ZIP ended {length - copied} bytes before its directory")
            copied += step
    except (AttributeError, io.UnsupportedOperation):
        pass  # not a file (storage of another kind): read and write it
    except OSError as error:
        if error.errno not in NO_KERNEL_COPY:
            raise
    target.seek(start + copied)
    if copied < length:
        source.seek(copied)
        while copied < length:
            between()
            chunk = source.read(min(READ_STEP, length - copied))
            if not chunk:
                raise zipfile.BadZipFile(f"a ZIP ended {length - copied} bytes before its directory")
            target.write(chunk)
            copied += len(chunk)
