"""POST /api/v1/threads/import-archive/: refusals at the door, and the
whole import through a real worker on PostgreSQL and Redis."""

import datetime
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import MonthlyUsage
from accounts.services import token_create
from rendering.models import Job
from tests.threads import archive_maker as maker
from tests.workers import wait_for
from threads.models import Post, PostImage, Thread

URL = "/api/v1/threads/import-archive/"


def upload(client, content: bytes, **fields):
    return client.post(
        URL, {"file": SimpleUploadedFile("twitter-archive.zip", content), **fields}, format="multipart"
    )


def finished(client, job_id: int) -> dict:
    wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}/").json()["status"] not in ("queued", "running"),
        what=f"job {job_id} to finish",
    )
    return client.get(f"/api/v1/jobs/{job_id}/").json()


@pytest.mark.django_db
def test_a_file_that_is_not_a_zip_is_refused_naming_the_file(as_alice):
    response = upload(as_alice, b"<html>not an archive</html>")
    assert response.status_code == 400
    assert "not a ZIP" in response.json()["errors"]["file"][0]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_no_file_is_a_400_naming_it(as_alice):
    response = as_alice.post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


@pytest.mark.django_db
def test_an_archive_over_the_size_limit_is_refused(as_alice, settings):
    settings.ARCHIVE_MAX_BYTES = 1000
    response = upload(as_alice, maker.sample().zip())
    assert response.status_code == 400
    assert "at most" in response.json()["errors"]["file"][0]
    assert not Job.objects.exists()
    assert not default_storage.exists("archives") or default_storage.listdir("archives") == ([], [])


@pytest.mark.django_db
def test_a_body_far_over_the_limit_is_refused_before_it_is_read(as_alice, settings):
    settings.ARCHIVE_MAX_BYTES = 1000
    response = upload(as_alice, b"PK\x03\x04" + b"\0" * 200_000)
    assert response.status_code == 413


@pytest.mark.django_db
def test_the_upload_is_stored_and_queued_as_one_job_at_a_time(as_alice, alice):
    response = upload(as_alice, maker.sample().zip(), min_posts="3")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert (job.kind, job.status, job.outcome) == ("archive_import", "queued", {"min_posts": 3})
    assert default_storage.open(job.source.name).read() == maker.sample().zip()
    assert response.json()["result"] is None

    again = upload(as_alice, maker.sample().zip())

    assert again.status_code == 409
    assert "already under way" in again.json()["message"]
    assert Job.objects.count() == 1
    assert not MonthlyUsage.objects.filter(user=alice, exports__gt=0).exists()


@pytest.mark.django_db
def test_cancelling_an_import_deletes_the_stored_archive(as_alice, django_capture_on_commit_callbacks):
    job_id = upload(as_alice, maker.sample().zip()).json()["id"]
    name = Job.objects.get(pk=job_id).source.name

    with django_capture_on_commit_callbacks(execute=True):
        assert as_alice.post(f"/api/v1/jobs/{job_id}/cancel/").json()["status"] == "cancelled"

    assert not default_storage.exists(name)
    assert Job.objects.get(pk=job_id).source.name == ""


@pytest.mark.django_db
def test_another_user_cannot_see_the_import(as_alice, api, bob):
    job_id = upload(as_alice, maker.sample().zip()).json()["id"]
    api.force_authenticate(bob)
    assert api.get(f"/api/v1/jobs/{job_id}/").status_code == 404


@pytest.mark.django_db
def test_an_import_scoped_token_may_not_upload_archives(api, alice):
    _, key = token_create(user=alice, name="Browser extension", scope="import")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert upload(api, maker.sample().zip()).status_code == 403


# --- Through a real worker -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_archive_imports_through_a_worker_and_again_changes_nothing(cluster, as_alice, alice):
    cluster()
    response = upload(as_alice, maker.sample().zip())
    assert response.status_code == 202
    job = finished(as_alice, response.json()["id"])

    assert job["status"] == "succeeded", job["error"]
    assert job["kind"] == "archive_import"
    assert job["progress"] == {"done": 2, "total": 2, "percent": 100}
    result = job["result"]
    assert {k: result[k] for k in ("created", "updated", "unchanged", "pictures", "pictures_missing")} == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "pictures": 2,
        "pictures_missing": 1,
    }
    threads = [Thread.objects.get(pk=pk, owner=alice) for pk in result["threads"]]
    assert [t.posts.count() for t in threads] == [4, 2]
    assert threads[0].posts.get(position=2).text.endswith(f"{maker.LINK} (long read)")
    assert not default_storage.exists(Job.objects.get(pk=job["id"]).source.name or "archives/none")
    counts = (Thread.objects.count(), Post.objects.count(), PostImage.objects.count())
    files = sorted(PostImage.objects.exclude(file="").values_list("file", flat=True))

    again = finished(as_alice, upload(as_alice, maker.sample().zip()).json()["id"])

    assert again["status"] == "succeeded", again["error"]
    assert again["result"]["threads"] == result["threads"]
    assert (again["result"]["created"], again["result"]["unchanged"]) == (0, 2)
    assert (Thread.objects.count(), Post.objects.count(), PostImage.objects.count()) == counts
    assert sorted(PostImage.objects.exclude(file="").values_list("file", flat=True)) == files


def bomb() -> bytes:
    sample = maker.sample()
    sample.extra = {"data/padding.js": b"\0" * (4 * 1024 * 1024)}
    return sample.zip()


def traversal() -> bytes:
    sample = maker.sample()
    sample.extra = {"../../outside.js": b"x"}
    return sample.zip()


def no_tweets() -> bytes:
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("data/account.js", b"window.YTD.account.part0 = []")
    return content.getvalue()


@pytest.mark.django_db(transaction=True)
def test_refused_archives_fail_their_job_with_the_reason(cluster, as_alice, alice):
    cluster()
    cases = {
        "zip bomb": bomb(),
        "unsafe file name": traversal(),
        "This is not an X archive: it has no data/tweets.js": no_tweets(),
    }
    for reason, content in cases.items():
        job = finished(as_alice, upload(as_alice, content).json()["id"])
        assert job["status"] == "failed"
        assert reason in job["error"]
        assert job["result"] is None
    assert not Thread.objects.exists()
    assert default_storage.listdir(f"archives/{alice.pk}")[1] == []


@pytest.mark.django_db(transaction=True)
def test_a_lost_message_is_sent_again_by_the_reconciler(cluster, alice):
    """A job committed but never sent (the web process died in between):
    the reconciler finds it queued and sends it to the archive task."""
    stored = default_storage.save(f"archives/{alice.pk}/lost.zip", io.BytesIO(maker.sample().zip()))
    job = Job.objects.create(
        owner=alice,
        kind=Job.Kind.ARCHIVE_IMPORT,
        style={},
        format="zip",
        source=stored,
        outcome={"min_posts": 2},
        enqueued=timezone.now() - datetime.timedelta(minutes=5),
    )
    cluster()

    wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, what="the reconciler to send the lost import")

    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert len(job.outcome["threads"]) == 2
    assert not default_storage.exists(stored)


@pytest.mark.django_db
def test_the_page_without_scripts_uploads_and_follows_the_job(client, alice, bob):
    client.force_login(alice)
    response = client.post(
        "/import/archive/upload/", {"file": SimpleUploadedFile("archive.zip", maker.sample().zip())}
    )
    job = Job.objects.get(owner=alice)
    assert response.status_code == 302
    assert response["Location"] == f"/import/archive/?job={job.pk}"
    page = client.get(response["Location"])
    assert f'data-job="{job.pk}"' in page.content.decode()

    refused = client.post("/import/archive/upload/", {"file": SimpleUploadedFile("a.zip", b"no zip here")})
    assert refused.status_code == 400
    assert "This is not a ZIP file" in refused.content.decode()

    client.force_login(bob)
    assert f'data-job="{job.pk}"' not in client.get(f"/import/archive/?job={job.pk}").content.decode()
