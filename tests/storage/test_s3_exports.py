"""Exports through a real worker whose storage is a real S3-protocol
server, configured only through the README's AWS_* variables: the file is
in the bucket, its presigned link returns its bytes, retention removes it,
and a bulk export's ZIP is assembled there."""

import datetime
import io
import json
import time
import zipfile
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Plan
from rendering import tasks
from rendering.models import Job
from tests.factories import thread_with_posts
from tests.workers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
JOBS = "/api/v1/jobs/"


def exported(client, body: dict) -> dict:
    """Start an export through the API and wait for the worker to end it."""
    created = client.post(JOBS, body, format="json")
    assert created.status_code in (200, 201, 202), created.json()
    job_id = created.json()["id"]
    wait_for(
        lambda: not Job.objects.filter(pk=job_id, status__in=Job.ACTIVE).exists(),
        timeout=60,
        what=f"job {job_id}",
    )
    job: dict = client.get(f"{JOBS}{job_id}/").json()
    assert job["status"] == "succeeded", job
    return job


def presigned_link(client, job: dict) -> str:
    """Where the API's download endpoint sends the owner: the bucket's signed URL."""
    response = client.get(job["result"]["download_url"])
    assert response.status_code == 302
    return str(response["Location"])


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**dict(parse_qsl(parts.query)), **changes})))


def refused_by_the_server(url: str, code: str) -> None:
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 403
    assert f"<Code>{code}</Code>" in answer.text


@pytest.mark.parametrize("server", ["bucket", "signing_bucket"])
def test_an_export_is_stored_in_the_bucket_and_its_link_returns_its_bytes(
    server, request, cluster, as_alice, alice
):
    bucket = request.getfixturevalue(server)
    thread_with_posts(alice, "First post.", "Second post.", title="On S3")
    cluster(**bucket.env)

    job = exported(as_alice, {"kind": "thread", "thread": alice.threads.get().pk, "format": "png"})

    [key] = bucket.keys(f"exports/{job['id']}/")
    stored = bucket.read(key)
    assert stored.startswith(b"\x89PNG")
    link = presigned_link(as_alice, job)
    assert link.startswith(bucket.env["AWS_S3_ENDPOINT_URL"])
    fetched = requests.get(link, timeout=5)
    assert fetched.status_code == 200
    assert fetched.content == stored
    assert job["result"]["name"] in fetched.headers["Content-Disposition"]


# The signing server checks SigV4 as AWS does (moto takes any signature on
# a presigned link). Signed as the download endpoint signs (the storage's
# url()), without a worker: the server's check is what is under test.


def test_a_link_with_a_tampered_signature_is_refused(signing_bucket):
    name = default_storage.save("exports/signed.txt", ContentFile(b"signed"))
    link = default_storage.url(name)
    assert requests.get(link, timeout=5).content == b"signed"
    signature = dict(parse_qsl(urlsplit(link).query))["X-Amz-Signature"]

    refused_by_the_server(with_query(link, **{"X-Amz-Signature": signature[::-1]}), "SignatureDoesNotMatch")


def test_a_link_cannot_be_bent_to_another_file_or_a_longer_life(signing_bucket):
    mine = default_storage.save("exports/1/mine.txt", ContentFile(b"mine"))
    theirs = default_storage.save("exports/2/theirs.txt", ContentFile(b"theirs"))
    link = default_storage.url(mine)
    assert requests.get(link, timeout=5).content == b"mine"

    other_file = link.replace(mine, theirs)
    refused_by_the_server(other_file, "SignatureDoesNotMatch")
    refused_by_the_server(with_query(link, **{"X-Amz-Expires": "604800"}), "SignatureDoesNotMatch")
    refused_by_the_server(with_query(link, **{"response-content-type": "text/html"}), "SignatureDoesNotMatch")


def test_a_link_is_refused_once_it_expires(signing_bucket):
    signing_bucket.configure(AWS_QUERYSTRING_EXPIRE="2")
    name = default_storage.save("exports/expiring.txt", ContentFile(b"for two seconds"))
    link = default_storage.url(name)
    assert requests.get(link, timeout=5).content == b"for two seconds"
    query = dict(parse_qsl(urlsplit(link).query))
    assert query["X-Amz-Expires"] == "2"
    signed = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)

    # Past the expiry by the clock (S3 counts whole seconds from X-Amz-Date).
    wait_for(lambda: timezone.now() > signed + datetime.timedelta(seconds=3), timeout=10, what="expiry")
    refused_by_the_server(link, "AccessDenied")


def test_retention_removes_old_exports_from_the_bucket(bucket, cluster, as_alice, alice):
    thread = thread_with_posts(alice, "A post.", title="Kept a while")
    Plan.objects.filter(code=alice.plan_id).update(max_running_jobs=2)
    cluster(**bucket.env, JOB_RETENTION_DAYS="1")
    old = exported(as_alice, {"kind": "thread", "thread": thread.pk, "format": "png"})
    recent = exported(as_alice, {"kind": "cards", "thread": thread.pk, "format": "png"})
    Job.objects.filter(pk=old["id"]).update(finished=timezone.now() - datetime.timedelta(days=2))
    assert bucket.keys(f"exports/{old['id']}/")

    tasks.clean_up.apply_async(queue=settings.CELERY_TASK_DEFAULT_QUEUE)

    wait_for(lambda: not Job.objects.filter(pk=old["id"]).exists(), what="the clean-up")
    assert bucket.keys(f"exports/{old['id']}/") == []
    assert len(bucket.keys(f"exports/{recent['id']}/")) == 1


def test_a_bulk_export_is_assembled_into_a_valid_zip_in_the_bucket(bucket, cluster, as_alice, alice):
    alice.plan_id = Plan.PRO
    alice.save()
    threads = [
        thread_with_posts(alice, f"Post of {n}.", f"More of {n}.", title=f"Bulk {n}") for n in range(3)
    ]
    cluster(**bucket.env)
    started = time.monotonic()

    job = exported(
        as_alice, {"kind": "bulk", "threads": "all", "kinds": ["cards", "thread"], "format": "png"}
    )

    assert time.monotonic() - started < 60
    [key] = bucket.keys(f"exports/{job['id']}/")
    archive = zipfile.ZipFile(io.BytesIO(bucket.read(key)))
    assert archive.testzip() is None
    index = json.loads(archive.read("index.json"))
    assert sorted(entry["thread"] for entry in index["threads"]) == sorted(thread.pk for thread in threads)
    listed = {file["file"] for entry in index["threads"] for file in entry["files"]}
    assert listed | {"index.json"} == set(archive.namelist())
    assert len(listed) == 3 * (2 + 1)  # two cards and one thread image each
    assert bucket.keys(f"export-parts/{job['id']}/") == []  # the parts are gone once assembled
