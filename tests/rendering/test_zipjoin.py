"""A bulk export's ZIP is its parts' ZIPs joined: every file under its
name and with its bytes, whichever way the bytes were copied (by the
kernel between files, or read and written from storage of another kind),
and offsets past 4 GiB written the ZIP64 way."""

import io
import os
import zipfile
from pathlib import Path

import pytest

from rendering.jobs import zipjoin
from rendering.jobs.storage import ZIP_TIME
from rendering.jobs.zipjoin import ZipJoin

PARTS = [
    {"001-first/slide-01.png": os.urandom(5000), "001-first/slide-02.png": b"second " * 300},
    {"002-second/slide-01.png": b""},
    {"003-third/slide-01.png": os.urandom(70_000), "003-third/notes.txt": "Ünïcödé ✓".encode()},
]


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), content)
    return buffer.getvalue()


def joined(target, sources) -> int:
    join = ZipJoin(target)
    for source in sources:
        join.add_zip(source)
    return join.close([(zipfile.ZipInfo("index.json", ZIP_TIME), b'{"threads": 3}')])


def file_sources(tmp_path: Path) -> list:
    paths = []
    for number, files in enumerate(PARTS):
        path = tmp_path / f"part-{number}.zip"
        path.write_bytes(zip_bytes(files))
        paths.append(path)
    return [path.open("rb") for path in paths]


def assert_holds_every_part(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None, "every file's checksum holds"
        expected = {name: content for files in PARTS for name, content in files.items()}
        assert archive.namelist() == [*expected, "index.json"], "in the parts' order, the index last"
        for name, content in expected.items():
            assert archive.read(name) == content  # the local header at the offset names the same file
        assert archive.read("index.json") == b'{"threads": 3}'


def test_files_copied_by_the_kernel_keep_their_names_and_bytes(tmp_path):
    sources = file_sources(tmp_path)
    with (tmp_path / "export.zip").open("wb") as target:
        size = joined(target, sources)

    data = (tmp_path / "export.zip").read_bytes()
    assert size == len(data)
    assert_holds_every_part(data)


def test_sources_that_are_not_files_give_the_same_zip(tmp_path):
    with (tmp_path / "kernel.zip").open("wb") as target:
        joined(target, file_sources(tmp_path))
    target = io.BytesIO()  # as from S3: no file descriptor on either side

    joined(target, [io.BytesIO(zip_bytes(files)) for files in PARTS])

    assert target.getvalue() == (tmp_path / "kernel.zip").read_bytes()


def test_offsets_past_the_zip64_limit_are_written_as_zip64(tmp_path, monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4000)  # 4 GiB, brought within a test's reach
    with (tmp_path / "export.zip").open("wb") as target:
        joined(target, file_sources(tmp_path))
    monkeypatch.undo()

    data = (tmp_path / "export.zip").read_bytes()
    assert b"PK\x06\x06" in data, "a ZIP64 end of central directory"
    assert_holds_every_part(data)


@pytest.mark.parametrize("files", [True, False], ids=["files", "streams"])
def test_a_check_between_steps_can_stop_a_long_copy(tmp_path, monkeypatch, files):
    monkeypatch.setattr(zipjoin, "COPY_STEP", 4096)
    monkeypatch.setattr(zipjoin, "READ_STEP", 4096)
    source = file_sources(tmp_path)[2] if files else io.BytesIO(zip_bytes(PARTS[2]))  # 70 KB
    join = ZipJoin((tmp_path / "export.zip").open("wb") if files else io.BytesIO())
    checks: list[int] = []

    def between():
        checks.append(1)
        if len(checks) == 3:
            raise InterruptedError("cancelled")

    with pytest.raises(InterruptedError):
        join.add_zip(source, between)
    assert len(checks) == 3, "a check before each step of 4 KiB"


def test_a_source_shorter_than_its_directory_says_is_refused(tmp_path):
    whole = zip_bytes(PARTS[0])
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        start_dir = archive.start_dir
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole)

    class Shrinking(io.FileIO):  # the file is cut after its directory was read
        def fileno(self):
            os.truncate(self.name, start_dir // 2)
            return super().fileno()

    with pytest.raises(zipfile.BadZipFile, match="before its directory"):
        ZipJoin(io.BytesIO()).add_zip(Shrinking(str(cut), "rb"))
