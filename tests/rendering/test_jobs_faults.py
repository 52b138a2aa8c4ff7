"""The infrastructure faults of issue 7, each real: PostgreSQL connections
killed with pg_terminate_backend (under a running task, and under an API
request) and a storage that fills up during an export."""

import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.db import OperationalError, close_old_connections, connection, connections, transaction
from rest_framework.test import APIClient

from accounts.models import MonthlyUsage, Plan
from accounts.services import token_create
from rendering import jobs
from rendering.jobs.lease import stale_before
from rendering.models import Job
from rendering.signals import job_finished
from tests.factories import thread_with_posts
from tests.rendering.test_jobs_worker import all_finished, assert_one_result_each, make_job
from tests.workers import wait_for
from threads.api import ThreadViewSet
from threads.models import StylePreset

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "A post long enough to take a few lines of its slide, so the carousel has many pages. " * 3


def kill_other_connections() -> int:
    """pg_terminate_backend for every other connection to the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_a_task_whose_database_connection_is_killed_is_retried_and_succeeds(cluster, alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    thread = thread_with_posts(alice, *[f"{n}. {LONG}" for n in range(1, 81)], title="Killed connection")
    cluster()
    job = make_job(alice, kind="carousel", threads=[thread.pk], format="zip", scale=2)
    under_way = Job.objects.filter(pk=job.pk, status="running", done__gte=1)
    wait_for(under_way.exists, what="the carousel to be under way")

    assert kill_other_connections() >= 1
    wait_for(all_finished([job.pk]), what="the retried job to finish")

    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.attempts == 1, "the interrupted run gave its attempt back"
    assert_one_result_each([job.pk])
    assert MonthlyUsage.objects.get(user=alice).exports == 1


def test_a_worker_keeps_its_connection_between_tasks_and_replaces_one_killed(cluster, alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    thread = thread_with_posts(alice, "1. A short post.", title="Between tasks")
    worker = cluster()
    first = make_job(alice, kind="cards", threads=[thread.pk], format="png")
    wait_for(all_finished([first.pk]), what="the first job")
    before = other_backends()
    second = make_job(alice, kind="cards", threads=[thread.pk], format="png")
    wait_for(all_finished([second.pk]), what="the second job")
    assert before & other_backends(), "a connection outlived its task: no new connection a task"

    assert kill_other_connections() >= 1  # a database restart between two tasks
    third = make_job(alice, kind="cards", threads=[thread.pk], format="png")
    wait_for(all_finished([third.pk]), timeout=30, what="the job after the restart")

    third.refresh_from_db()
    assert third.status == "succeeded", third.error
    assert third.attempts == 1
    assert "OperationalError" not in worker.log.read_text(), (
        "each task checked its connection before using it"
    )


def other_backends() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_an_api_read_whose_connection_was_killed_is_answered_on_a_new_connection(alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    thread_with_posts(alice, "1. Still here.", title="Survivor")
    client = api_client(alice)
    assert client.get("/api/v1/threads/").status_code == 200

    # The connection dies between two requests. The test client skips
    # Django's per-request connection check, so the next request meets the
    # dead connection in its view, as one killed mid-request would.
    terminate(connection.connection.info.backend_pid)
    response = client.get("/api/v1/threads/")

    assert response.status_code == 200
    assert [thread["title"] for thread in response.json()["results"]] == ["Survivor"]


def test_a_read_that_fails_on_a_connection_still_good_is_not_repeated(alice, monkeypatch):
    # A statement timeout or a lock is the query's trouble, not the connection's:
    # running it again would only double the load.
    calls = []

    def timed_out(self, request):
        calls.append(request.path)
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(ThreadViewSet, "list", timed_out)
    response = api_client(alice).get("/api/v1/threads/")
    assert response.status_code == 503
    assert calls == ["/api/v1/threads/"]


def test_an_api_write_whose_connection_was_killed_answers_503_and_the_next_reconnects(alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    client = api_client(alice)
    preset = {"name": "Lost", "style": {"version": 1}}

    terminate(connection.connection.info.backend_pid)
    response = client.post("/api/v1/presets/", preset, format="json")

    # Not run again: a commit lost with its connection can't be told from
    # one that never happened. The caller is told to retry.
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "message": "The service is briefly unavailable; please try again in a few seconds.",
        "code": "unavailable",
    }
    close_old_connections()  # what Django does when a request finishes: drops the dead connection
    assert not StylePreset.objects.filter(owner=alice).exists()
    assert client.post("/api/v1/presets/", preset, format="json").status_code == 201


def test_a_website_page_whose_connection_was_killed_is_answered_on_a_new_connection(alice, client):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    thread_with_posts(alice, "1. Still here.", title="Survivor")
    client.force_login(alice)
    client.raise_request_exception = False
    terminate(connection.connection.info.backend_pid)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "Survivor" in response.content.decode()


def test_a_website_page_that_keeps_losing_its_connection_answers_503(alice, client, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    client.force_login(alice)
    client.raise_request_exception = False
    # Every connection opened dies before its first query: the retry fails too.
    wrapper = type(connections["default"])
    original = wrapper.get_new_connection

    def dying(self, params):
        new = original(self, params)
        terminate(new.info.backend_pid)
        return new

    terminate(connection.connection.info.backend_pid)
    monkeypatch.setattr(wrapper, "get_new_connection", dying)
    response = client.get("/dashboard/")
    monkeypatch.undo()
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    close_old_connections()


def api_client(user) -> APIClient:
    _, key = token_create(user=user, name="faults")
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def terminate(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def tiny_storage(settings, tmp_path):
    """A real 8 MiB filesystem (tmpfs) as the media folder (the autouse
    fixture points the storage at tmp_path/media)."""
    mount = tmp_path / "media"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if result.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs as root and must be able to mount a tmpfs: {result.stderr.decode()}")
        pytest.skip("mounting a small tmpfs needs root")
    settings.CELERY_TASK_DEFAULT_QUEUE = f"test-faults-{uuid.uuid4().hex[:10]}"  # read by no worker
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_an_export_that_fills_the_storage_fails_with_a_reason_and_leaves_nothing(alice, tiny_storage):
    filler = tiny_storage / "filler"
    filler.write_bytes(b"\0" * (8192 * 1024 - 96 * 1024))  # 96 KiB left: less than the carousel
    thread = thread_with_posts(alice, *[f"{n}. {LONG}" for n in range(1, 13)], title="Full disk")
    job = make_job(alice, kind="carousel", threads=[thread.pk], format="zip")
    assert MonthlyUsage.objects.get(user=alice).exports == 1

    jobs.job_run(job_id=job.pk)  # the service a worker runs, here in-process against the full filesystem

    job.refresh_from_db()
    assert job.status == "failed"
    assert "no room left to store the export" in job.error
    assert "nothing was charged" in job.error
    assert files_under(tiny_storage) == ["filler"], "the partly written file was removed"
    assert MonthlyUsage.objects.get(user=alice).exports == 0, "the quota was given back"

    filler.unlink()  # room again: the same export goes through
    again = make_job(alice, kind="carousel", threads=[thread.pk], format="zip")
    jobs.job_run(job_id=again.pk)
    again.refresh_from_db()
    assert again.status == "succeeded", again.error
    assert default_storage.exists(str(again.result.name))


def test_a_bulk_export_that_fills_the_storage_fails_and_removes_its_parts(alice, tiny_storage):
    (tiny_storage / "filler").write_bytes(b"\0" * (8192 * 1024 - 160 * 1024))
    job = bulk_of_four(alice, posts=8)

    jobs.bulk_start(job_id=job.pk)  # sends the parts to a queue no worker reads; run them here
    run_parts(job)
    jobs.bulk_assemble(job_id=job.pk)

    assert_failed_for_room_leaving_nothing(job, tiny_storage)


def test_an_export_zip_with_no_room_left_fails_and_leaves_nothing(alice, tiny_storage):
    # The parts fit; the export's ZIP, written in place as they are
    # copied into it, runs out of room half way.
    job = bulk_of_four(alice, posts=4)
    jobs.bulk_start(job_id=job.pk)
    run_parts(job)
    parts = sum(path.stat().st_size for path in (tiny_storage / "export-parts").rglob("*.zip"))
    room = os.statvfs(tiny_storage)
    (tiny_storage / "filler").write_bytes(b"\0" * (room.f_bavail * room.f_frsize - parts // 2))

    jobs.bulk_assemble(job_id=job.pk)

    assert_failed_for_room_leaving_nothing(job, tiny_storage)


def bulk_of_four(user, posts: int) -> Job:
    """A Pro user's bulk export of four threads of `posts` long posts."""
    user.plan_id = Plan.PRO
    user.save()
    text = [f"{n}. {LONG}" for n in range(1, posts + 1)]
    threads = [thread_with_posts(user, *text, title=f"Bulk {uuid.uuid4().hex[:4]}") for _ in range(4)]
    return make_job(user, kind="bulk", threads=[t.pk for t in threads], format="png")


def run_parts(job: Job) -> None:
    for part in job.parts.order_by("number"):
        jobs.part_run(part_id=part.pk)


def assert_failed_for_room_leaving_nothing(job: Job, storage: Path) -> None:
    job.refresh_from_db()
    assert job.status == "failed"
    assert "no room left to store the export" in job.error
    assert files_under(storage) == ["filler"], "parts and the partial export were removed"
    assert MonthlyUsage.objects.get(user=job.owner).exports == 0


def test_a_connection_lost_while_a_job_ends_is_retried_and_leaves_one_file(alice):
    """The connection dies inside the transaction that ends the job (while a
    job_finished listener, such as the webhooks', works): nothing of that
    transaction stays, the file it stored is removed and the retry ends it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    thread = thread_with_posts(alice, "Ends twice, counts once.", title="Lost commit")
    job = make_job(alice, kind="thread", threads=[thread.pk], format="png")
    kills = []

    def lose_the_connection(sender, job, **kwargs):
        if not kills:
            kills.append(job.pk)
            with transaction.atomic():  # a savepoint, as the webhooks' listener makes
                terminate(connection.connection.info.backend_pid)
                Job.objects.filter(pk=job.pk).exists()  # the listener's next query finds it gone

    job_finished.connect(lose_the_connection)
    try:
        with pytest.raises(OperationalError):
            jobs.job_run(job_id=job.pk)  # what the task runs; Celery retries on this error
    finally:
        job_finished.disconnect(lose_the_connection)
    job.refresh_from_db()
    assert job.status == "queued", "handed back for the retry"
    folder = f"exports/{job.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == [], "no stray file"

    jobs.job_run(job_id=job.pk)  # the retry
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.attempts == 1
    assert_one_result_each([job.pk])


def pro_export(user, kind: str) -> Job:
    """A Pro user's export of one thread: a single job, or a bulk one."""
    user.plan_id = Plan.PRO
    user.save()
    thread = thread_with_posts(user, "One post.", "Two posts.", title=f"A {kind} export")
    if kind == "single":
        return make_job(user, kind="carousel", threads=[thread.pk], format="zip")
    return make_job(user, kind="bulk", threads="all", kinds=["cards"], format="png")


def run_in_process(job: Job) -> None:
    """What the workers would run for `job`, here in this process, in order."""
    if job.kind != "bulk":
        jobs.job_run(job_id=job.pk)
        return
    jobs.bulk_start(job_id=job.pk)
    for part in job.parts.all():
        jobs.part_run(part_id=part.pk)
    jobs.bulk_assemble(job_id=job.pk)


class SlowLinkStorage(InMemoryStorage):
    """Storage behind a slow link, not on the worker's disk (as S3): storing
    an export takes `seconds`, and while it does, whether the job's lease
    ever looked abandoned is noted."""

    seconds = 2.5
    lease_went_stale: ClassVar[list[bool]] = []

    def _save(self, name: str, content: Any) -> str:
        if name.startswith("exports/"):
            deadline = time.monotonic() + self.seconds
            while time.monotonic() < deadline:
                abandoned = Job.objects.filter(status="running", heartbeat__lt=stale_before()).exists()
                self.lease_went_stale.append(abandoned)
                time.sleep(0.05)  # the slow upload itself
        return super()._save(name, content)


@pytest.mark.parametrize("kind", ["single", "bulk"])
def test_an_upload_longer_than_the_stale_time_keeps_its_lease(alice, settings, kind):
    # Found by the cross-host drill: a bulk ZIP uploading over a slow link
    # for longer than JOB_STALE_AFTER was taken over, again and again.
    settings.JOB_STALE_AFTER = 1.0  # twice a render's beat (BEAT_EVERY)
    settings.CELERY_TASK_DEFAULT_QUEUE = f"test-faults-{uuid.uuid4().hex[:10]}"  # read by no worker
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.SlowLinkStorage",
        },
    }
    SlowLinkStorage.lease_went_stale = []
    job = pro_export(alice, kind)

    run_in_process(job)

    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert SlowLinkStorage.lease_went_stale, "the upload was slow"
    assert not any(SlowLinkStorage.lease_went_stale), "another run could have taken the job over"
    assert default_storage.exists(str(job.result.name))


@pytest.mark.parametrize("kind", ["single", "bulk"])
def test_a_file_left_by_a_killed_run_is_removed_when_its_job_ends(alice, settings, kind):
    # Found by the cross-host drill over RabbitMQ: Celery cancels the tasks
    # of a worker that lost its broker, and a run killed between storing its
    # file and ending left a file that no row names beside the result.
    settings.CELERY_TASK_DEFAULT_QUEUE = f"test-faults-{uuid.uuid4().hex[:10]}"  # read by no worker
    job = pro_export(alice, kind)
    default_storage.save(f"exports/{job.pk}/thread-carousel_abc1234.zip", ContentFile(b"a killed run's"))

    run_in_process(job)

    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    _, names = default_storage.listdir(f"exports/{job.pk}")
    assert [f"exports/{job.pk}/{name}" for name in names] == [job.result.name]


def test_files_runs_left_half_written_are_removed_when_an_export_is_cancelled(alice, settings):
    # Parts and the bulk ZIP are written in place: a run killed while
    # writing leaves a partial file that no row names.
    settings.CELERY_TASK_DEFAULT_QUEUE = f"test-faults-{uuid.uuid4().hex[:10]}"  # read by no worker
    job = pro_export(alice, "bulk")
    jobs.bulk_start(job_id=job.pk)
    for folder in ("export-parts", "exports"):
        default_storage.save(f"{folder}/{job.pk}/001_abc1234.zip", ContentFile(b"PK\x03\x04 cut short"))

    jobs.job_cancel(job=job)

    assert all(
        default_storage.listdir(f"{folder}/{job.pk}")[1] == [] for folder in ("export-parts", "exports")
    )


def test_a_file_written_in_place_never_replaces_another_runs(monkeypatch):
    theirs = default_storage.save("exports/1/result_abc1234.zip", ContentFile(b"another run's"))
    monkeypatch.setattr(jobs.storage, "free_name", lambda _: theirs)  # both runs drew the same name

    with pytest.raises(FileExistsError), jobs.storage.stored_file("exports/1/result.zip") as written:
        written.file.write(b"mine")

    with default_storage.open(theirs) as stored:
        assert stored.read() == b"another run's"
