"""A bulk export's parts: runs of consecutive threads of about
BULK_PART_SLIDES slides, so that short threads share a part's fixed cost
(its claim, its queries, its message); the export's ZIP is the same as
with a part per thread: a folder per thread in the export's order."""

import io
import itertools
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Plan
from rendering import jobs
from rendering.jobs.bulk import SPREAD, TAIL, split
from rendering.models import Job, JobPart
from tests.factories import thread_with_posts
from tests.rendering.test_jobs_api import create, download, run
from tests.rendering.test_zipjoin import zip_bytes


def slides_of(held, thread_ids, slides):
    return sum(slides[thread_ids.index(thread_id)] for thread_id in held)


@given(
    slides=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=300),
    part_slides=st.integers(min_value=1, max_value=200),
)
def test_parts_hold_every_thread_once_in_order(slides, part_slides):
    thread_ids = [1000 + n for n in range(len(slides))]

    runs = split(thread_ids, slides, part_slides)

    assert [thread_id for _, held in runs for thread_id in held] == thread_ids
    assert [number for number, _ in runs] == [thread_ids.index(held[0]) + 1 for _, held in runs]
    most = max(1, len(thread_ids) // SPREAD)
    tail = min(len(TAIL), len(runs))
    for (_, held), (following, _) in itertools.pairwise(runs[:-tail]):
        full = slides_of(held, thread_ids, slides) + slides[following - 1] > part_slides
        assert len(held) == most or full, "a part closes when full"
    for (_, held), share in zip(runs[-tail:], TAIL[tail - 1 :: -1], strict=True):
        assert len(held) == 1 or (
            slides_of(held, thread_ids, slides) <= part_slides // share and len(held) <= most // share
        ), "the last parts are a half and two quarters of a full one"
    for _, held in runs:
        size = slides_of(held, thread_ids, slides)
        assert size <= part_slides or len(held) == 1, "only a thread longer than a part has it alone"
        assert len(held) <= most
    assert len(runs) >= min(SPREAD, len(thread_ids)), "a small export still spreads over the workers"


def test_the_last_parts_are_smaller_so_that_the_workers_end_together():
    thread_ids = list(range(1, 101))

    runs = split(thread_ids, [10] * 100, 40)

    assert [len(held) for _, held in runs] == [4] * 24 + [2, 1, 1]
    assert runs[-3:] == [(97, [97, 98]), (99, [99]), (100, [100])]


def test_short_threads_share_a_part_and_a_long_one_has_its_own():
    thread_ids = list(range(1, 21))
    slides = [4] * 10 + [60] + [4] * 9

    runs = split(thread_ids, slides, 12)

    pairs = [(n, [n, n + 1]) for n in (1, 3, 5, 7, 9)]
    assert runs == [
        *pairs,
        (11, [11]),
        (12, [12, 13]),
        (14, [14, 15]),
        (16, [16, 17]),
        (18, [18]),
        (19, [19]),
        (20, [20]),
    ], "20 threads: two a part at most, so that they spread over the workers; the last three alone"
    assert split(thread_ids * 3, slides * 3, 12)[:5] == [
        (1, [1, 2, 3]),
        (4, [4, 5, 6]),
        (7, [7, 8, 9]),
        (10, [10]),
        (11, [11]),
    ], "60 threads: up to 7 a part, as many as 12 slides hold"


@pytest.fixture
def pro_alice(alice):
    alice.plan_id = Plan.PRO
    alice.save()
    return alice


@pytest.mark.django_db
def test_a_bulk_export_of_short_threads_has_fewer_parts_and_the_same_zip(as_alice, pro_alice, settings):
    settings.BULK_PART_SLIDES = 12  # three 2-post carousels: (2 + cover + end) × 3
    threads = [
        thread_with_posts(pro_alice, f"Post one of {n}.", f"Post two of {n}.", title=f"Short {n:02d}")
        for n in range(1, 25)
    ]
    chosen = [thread.pk for thread in reversed(threads)]
    job_id = create(
        as_alice, {"kind": "bulk", "threads": chosen, "kinds": ["carousel"], "format": "png"}
    ).json()["id"]

    job = run(job_id)

    assert job.status == "succeeded", job.error
    assert (job.done, job.total) == (24, 24), "progress counts threads, not parts"
    parts = list(JobPart.objects.filter(job=job).order_by("number"))
    assert [part.number for part in parts] == [1, 4, 7, 10, 13, 16, 19, 22, 23, 24]
    assert [thread_id for part in parts for thread_id in part.thread_ids] == chosen
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download(as_alice, job_id).streaming_content)))
    index = json.loads(archive.read("index.json"))["threads"]
    assert [thread["thread"] for thread in index] == chosen
    assert [thread["folder"] for thread in index] == [f"{n:03d}-short-{25 - n:02d}" for n in range(1, 25)]
    assert [file["file"] for file in index[4]["files"]] == [
        f"005-short-20/slide-0{n}.png" for n in range(1, 5)
    ]
    names = [name for name in archive.namelist() if name != "index.json"]
    assert names == [file["file"] for thread in index for file in thread["files"]], "in the export's order"


@pytest.mark.django_db
def test_a_thread_gone_from_a_shared_part_is_named_in_the_failure(as_alice, pro_alice, settings):
    settings.BULK_PART_SLIDES = 100
    threads = [thread_with_posts(pro_alice, f"Post of {n}.", title=f"Kept {n}") for n in range(16)]
    job_id = create(
        as_alice, {"kind": "bulk", "threads": [t.pk for t in threads], "kinds": ["cards"], "format": "png"}
    ).json()["id"]
    jobs.bulk_start(job_id=job_id)
    first = JobPart.objects.filter(job_id=job_id).order_by("number").first()
    assert first.thread_ids == [threads[0].pk, threads[1].pk], "16 threads: two a part at most"
    gone = threads[1].pk
    threads[1].delete()

    jobs.part_run(part_id=first.pk)

    job = Job.objects.get(pk=job_id)
    assert job.status == "failed"
    assert job.error == f"thread {gone} was deleted after the export was made."


@pytest.mark.django_db
def test_a_part_stored_before_files_had_folders_is_assembled_under_their_folders(as_alice, pro_alice):
    # A deploy during a bulk export: a part rendered by the release before
    # parts held several threads has its files under their bare names, and
    # its index [file, alt] pairs (migration 0008 put them under the folder).
    threads = [thread_with_posts(pro_alice, f"Only post of {n}.", title=f"Old {n}") for n in range(3)]
    job_id = create(
        as_alice, {"kind": "bulk", "threads": [t.pk for t in threads], "kinds": ["cards"], "format": "png"}
    ).json()["id"]
    jobs.bulk_start(job_id=job_id)
    for part in JobPart.objects.filter(job_id=job_id):
        jobs.part_run(part_id=part.pk)
    old = JobPart.objects.filter(job_id=job_id).order_by("number")[1]
    [thread] = old.index
    with default_storage.open(old.file.name) as stored, zipfile.ZipFile(stored) as source:
        files = {name.split("/", 1)[1]: source.read(name) for name in source.namelist()}
    default_storage.delete(old.file.name)
    old.file = default_storage.save(f"export-parts/{job_id}/002.zip", ContentFile(zip_bytes(files)))
    old.index = [{**thread, "files": [[item["file"], item["alt"]] for item in thread["files"]]}]
    old.save()

    jobs.bulk_assemble(job_id=job_id)

    job = Job.objects.get(pk=job_id)
    assert job.status == "succeeded", job.error
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download(as_alice, job_id).streaming_content)))
    assert archive.testzip() is None
    folder = thread["folder"]
    assert [name for name in archive.namelist() if name.startswith("002-")] == [
        f"{folder}/{name}" for name in files
    ]
    assert all(archive.read(f"{folder}/{name}") == content for name, content in files.items())
    index = json.loads(archive.read("index.json"))["threads"][1]
    assert [file["file"] for file in index["files"]] == [f"{folder}/{name}" for name in files]
    assert all(file["alt"] for file in index["files"])
