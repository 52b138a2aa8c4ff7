"""An X archive ZIP ("Download an archive of your data"), read in place.

The ZIP stays where it is stored: every entry is checked from the central
directory before a byte of it is decompressed (names that climb out of a
folder, declared sizes of a zip bomb), and then only the entries the import
needs are read, each as a stream that stops past its declared size.
`data/tweets.js` is parsed item by item (ijson), so a 100 MB file never sits
whole in memory. No Django here: the caller opens the stored file."""

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import ijson

from config.errors import Invalid

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a ZIP's first entry, or an empty ZIP
TWEET_FILES = re.compile(r"data/tweets?(?:-part(\d+))?\.js")
SMALL_FILE_BYTES = 16 * 1024 * 1024  # account.js, profile.js: a few KB in real archives
CHUNK = 64 * 1024


class ArchiveRefused(Invalid):
    """The upload is not an X archive we will read; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class ArchiveLimits:
    max_uncompressed: int = 8 * 1024**3
    max_ratio: int = 100
    max_entries: int = 200_000


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    display_name: str


def looks_like_zip(head: bytes) -> bool:
    return head[:4] in ZIP_SIGNATURES


# --- Checking entries -------------------------------------------------------------


def unsafe_name(name: str) -> bool:
    """A name that would land outside the folder it is extracted to (or
    means something else on Windows): absolute, `..`, backslashes, drives."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return True
    if re.match(r"[A-Za-z]:", name):
        return True
    return ".." in PurePosixPath(name).parts


# Below this an entry's ratio says nothing: a few KB of spaces compress 500:1.
RATIO_FLOOR_BYTES = 1024 * 1024


def check_entries(entries: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Refuse the whole archive before anything is decompressed: one bad
    entry is reason enough not to trust the rest."""
    if len(entries) > limits.max_entries:
        raise ArchiveRefused(
            f"The archive has {len(entries):,} files; at most {limits.max_entries:,} are read."
        )
    total = 0
    for entry in entries:
        if unsafe_name(entry.filename):
            raise ArchiveRefused(
                f"The archive holds an unsafe file name ({entry.filename[:100]!r}); refused."
            )
        total += entry.file_size
        ratio = entry.file_size // max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
            raise ArchiveRefused(
                f"{entry.filename[:100]} would expand {ratio:,} times (at most {limits.max_ratio} is "
                "allowed): this looks like a zip bomb; refused."
            )
    if total > limits.max_uncompressed:
        raise ArchiveRefused(
            f"The archive would expand to {total / 1024**3:.1f} GB; at most "
            f"{limits.max_uncompressed / 1024**3:.1f} GB is read: this looks like a zip bomb; refused."
        )


class BoundedEntry:
    """An entry's stream that stops with `ArchiveRefused` once more bytes
    come out than its header declared (zipfile checks this too, by the CRC
    at the end; this stops at the first byte too many)."""

    def __init__(self, stream: IO[bytes], info: zipfile.ZipInfo) -> None:
        self.stream = stream
        self.info = info
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        if self.count > self.info.file_size:
            raise ArchiveRefused(f"{self.info.filename[:100]} holds more than it declares; refused.")
        return data

    def close(self) -> None:
        self.stream.close()


class AfterAssignment:
    """A `window.YTD.<name>.part0 = [...]` file read as the JSON after `=`."""

    def __init__(self, stream: BoundedEntry, name: str) -> None:
        self.stream = stream
        self.name = name
        self.head: bytes | None = None

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson's probe for bytes or text
            return b""
        if self.head is None:
            self.head = self.skip_assignment()
        if self.head:
            cut = len(self.head) if size < 0 else size
            head, self.head = self.head[:cut], self.head[cut:]
            return head
        return self.stream.read(size)

    def skip_assignment(self) -> bytes:
        head = self.stream.read(4096)
        before, equals, after = head.partition(b"=")
        if not equals or not before.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"window.YTD."):
            raise ArchiveRefused(f"{self.name} is not in the format of X's archive (window.YTD.… = […]).")
        return after


# --- The archive ------------------------------------------------------------------


class XArchive:
    """The entries of an X archive an import needs. `root` is "" for X's
    own ZIP, or the folder a user's re-zipped copy put everything in."""

    def __init__(self, archive: zipfile.ZipFile, root: str) -> None:
        self.zip = archive
        self.root = root
        self.names = {info.filename: info for info in archive.infolist()}

    @classmethod
    def open(cls, fileobj: IO[bytes], limits: ArchiveLimits) -> "XArchive":
        """Check the archive from its directory; raises ArchiveRefused."""
        try:
            archive = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            raise ArchiveRefused("This file is not a ZIP archive (or it is damaged).") from None
        check_entries(archive.infolist(), limits)
        return cls(archive, tweets_root(archive.namelist()))

    def close(self) -> None:
        self.zip.close()

    def entry(self, name: str) -> zipfile.ZipInfo | None:
        return self.names.get(self.root + name)

    def stream(self, info: zipfile.ZipInfo) -> BoundedEntry:
        try:
            return BoundedEntry(self.zip.open(info), info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as error:
            raise ArchiveRefused(f"{info.filename[:100]} cannot be read: {error}") from None

    def read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """A whole entry of at most `limit` bytes (checked from its header first)."""
        if info.file_size > limit:
            raise ArchiveRefused(f"{info.filename[:100]} is larger than {limit:,} bytes; refused.")
        stream = self.stream(info)
        try:
            return stream.read()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ArchiveRefused(f"{info.filename[:100]} cannot be read: {error}") from None
        finally:
            stream.close()

    # --- data/*.js files

    def assigned_json(self, name: str) -> Any:
        """A small `window.YTD… = …` file parsed whole; None if absent."""
        info = self.entry(name)
        if info is None:
            return None
        text = self.read(info, SMALL_FILE_BYTES)
        before, equals, after = text.partition(b"=")
        if not equals or b"window.YTD." not in before:
            raise ArchiveRefused(f"{name} is not in the format of X's archive (window.YTD.… = […]).")
        try:
            return json.loads(after)
        except ValueError as error:
            raise ArchiveRefused(f"{name} could not be read: {error}") from None

    def account(self) -> Account:
        items = self.assigned_json("data/account.js")
        account = items[0].get("account") if isinstance(items, list) and items else None
        if not isinstance(account, dict) or not str(account.get("accountId", "")).isdigit():
            raise ArchiveRefused("This X archive has no account in data/account.js.")
        return Account(
            id=str(account["accountId"]),
            username=str(account.get("username", "")),
            display_name=str(account.get("accountDisplayName", "")),
        )

    def avatar(self, account: Account) -> tuple[str, bytes] | None:
        """The profile picture's address on X and its file, if the archive has both."""
        items = self.assigned_json("data/profile.js")
        profile = items[0].get("profile") if isinstance(items, list) and items else None
        url = profile.get("avatarMediaUrl") if isinstance(profile, dict) else None
        if not isinstance(url, str) or not url:
            return None
        info = self.entry(f"data/profile_media/{account.id}-{url.rsplit('/', 1)[-1]}")
        return None if info is None else (url, self.read(info, SMALL_FILE_BYTES))

    def tweet_files(self) -> list[zipfile.ZipInfo]:
        """data/tweets.js, then its part1, part2… (older archives: tweet.js)."""
        found = []
        for name, info in self.names.items():
            match = (
                TWEET_FILES.fullmatch(name.removeprefix(self.root)) if name.startswith(self.root) else None
            )
            if match:
                found.append((int(match.group(1) or 0), name, info))
        return [info for _, _, info in sorted(found)]

    def tweets(self) -> Iterator[dict[str, Any]]:
        """Every tweet object of the tweet files, one at a time."""
        for info in self.tweet_files():
            stream = self.stream(info)
            try:
                for item in ijson.items(AfterAssignment(stream, info.filename), "item", use_float=True):
                    tweet = item.get("tweet", item) if isinstance(item, dict) else None
                    if isinstance(tweet, dict):
                        yield tweet
            except ijson.JSONError as error:
                raise ArchiveRefused(f"{info.filename[:100]} could not be read: {error}") from None
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise ArchiveRefused(f"{info.filename[:100]} cannot be read: {error}") from None
            finally:
                stream.close()

    def media(self, file: str) -> zipfile.ZipInfo | None:
        """A tweet's picture, by the name the archive gives it (`<tweet id>-<file>`)."""
        return self.entry(f"data/tweets_media/{file}") or self.entry(f"data/tweet_media/{file}")


def tweets_root(names: list[str]) -> str:
    """The folder holding data/tweets.js: "" in X's own ZIP; a folder when
    the user unpacked the archive and zipped the folder again."""
    candidates = sorted(
        name.removesuffix(ending)
        for name in names
        for ending in ("data/tweets.js", "data/tweet.js")
        if name.endswith(ending) and (name == ending or name.removesuffix(ending).endswith("/"))
    )
    if not candidates:
        raise ArchiveRefused("This is not an X archive: it has no data/tweets.js.")
    return min(candidates, key=len)
