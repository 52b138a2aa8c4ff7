"""The jobs API in-process: what a client sends and gets back. The job
service runs for real (here called directly where a worker would call it);
tests/rendering/test_jobs_worker.py runs the same through real workers."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import MonthlyUsage, Plan, month_start
from rendering import jobs
from rendering.models import Job
from tests.factories import thread_with_posts

JOBS = "/api/v1/jobs/"


@pytest.fixture(autouse=True)
def sent(monkeypatch) -> list[tuple[str, int]]:
    """No worker here: this test plays the worker's part, so messages are
    recorded instead of going to a broker nobody reads."""
    messages: list[tuple[str, int]] = []
    monkeypatch.setattr(
        "rendering.jobs.dispatch.queue", lambda name, object_id, **_: messages.append((name, object_id))
    )
    return messages


@pytest.fixture
def thread(alice):
    return thread_with_posts(
        alice, "First post of the thread.", "Second post, a little longer.", title="Ünïcode: a test!"
    )


def create(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(JOBS, body, format="json", **headers)


def run(job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    if job.kind == Job.Kind.BULK:
        jobs.bulk_start(job_id=job_id)
        for part in job.parts.all():
            jobs.part_run(part_id=part.pk)
        jobs.bulk_assemble(job_id=job_id)
    else:
        jobs.job_run(job_id=job_id)
    return Job.objects.get(pk=job_id)


def download(client, job_id: int):
    url = client.get(f"{JOBS}{job_id}/").json()["result"]["download_url"]
    return client.get(url)


@pytest.mark.django_db
def test_a_job_is_accepted_queued_and_then_downloadable(as_alice, thread):
    response = create(as_alice, {"kind": "carousel", "thread": thread.pk, "format": "pdf"})

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued"
    assert body["result"] is None
    job = run(body["id"])
    assert job.status == "succeeded", job.error
    detail = as_alice.get(f"{JOBS}{job.pk}/").json()
    assert detail["progress"] == {"done": 4, "total": 4, "percent": 100}
    assert detail["result"]["name"] == "unicode-a-test-carousel.pdf"
    file = download(as_alice, job.pk)
    assert file.status_code == 200
    assert file["Content-Disposition"] == 'attachment; filename="unicode-a-test-carousel.pdf"'
    assert b"".join(file.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_cards_as_images_come_as_a_zip_with_an_index(as_alice, thread):
    job = run(create(as_alice, {"kind": "cards", "thread": thread.pk, "format": "jpeg"}).json()["id"])

    archive = zipfile.ZipFile(io.BytesIO(b"".join(download(as_alice, job.pk).streaming_content)))
    assert archive.namelist() == ["card-01.jpg", "card-02.jpg", "index.json"]
    assert Image.open(archive.open("card-01.jpg")).format == "JPEG"
    assert "Second post" in archive.read("index.json").decode()


@pytest.mark.django_db
def test_the_same_idempotency_key_gives_the_same_job_and_another_body_conflicts(as_alice, thread):
    body = {"kind": "thread", "thread": thread.pk, "format": "png"}
    first = create(as_alice, body, key="abc-1")
    again = create(as_alice, body, key="abc-1")
    other = create(as_alice, {**body, "format": "jpeg"}, key="abc-1")

    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 1
    assert other.status_code == 409
    assert other.json()["message"].startswith("Idempotency-Key:")
    assert MonthlyUsage.objects.get(user=thread.owner).exports == 1, "a replay is not charged again"


@pytest.mark.django_db
def test_cancel_stops_a_job_and_gives_its_export_back(as_alice, thread):
    job_id = create(as_alice, {"kind": "carousel", "thread": thread.pk, "format": "zip"}).json()["id"]

    cancelled = as_alice.post(f"{JOBS}{job_id}/cancel/")
    again = as_alice.post(f"{JOBS}{job_id}/cancel/")
    job = run(job_id)

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert job.status == "cancelled"
    assert not job.result, "a cancelled job never gets a file"
    assert MonthlyUsage.objects.get(user=thread.owner).exports == 0


@pytest.mark.django_db
def test_download_links_expire_resist_tampering_and_belong_to_their_owner(as_alice, api, thread, bob):
    job = run(create(as_alice, {"kind": "thread", "thread": thread.pk, "format": "png"}).json()["id"])
    url = as_alice.get(f"{JOBS}{job.pk}/").json()["result"]["download_url"]

    tampered = as_alice.get(url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb"))
    api.force_authenticate(bob)
    other_user = api.get(url)
    api.force_authenticate(None)
    anonymous = api.get(url)
    api.force_authenticate(job.owner)
    with override_settings(JOB_LINK_SECONDS=-1):
        expired = api.get(url)

    assert api.get(url).status_code == 200
    assert tampered.status_code == 403
    assert tampered.json()["message"].startswith("token:")
    assert other_user.status_code == 404, "another user's job is not there at all"
    assert anonymous.status_code == 401
    assert expired.status_code == 403
    assert "expired" in expired.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "poster", "thread": 0, "format": "png"}, "kind"),
        ({"kind": "cards", "thread": 0, "format": "gif"}, "format"),
        ({"kind": "cards", "thread": 0, "format": "pdf"}, "format"),
        ({"kind": "carousel", "thread": 0, "format": "pdf", "scale": 0}, "scale"),
        ({"kind": "carousel", "thread": 0, "format": "pdf", "scale": 10}, "scale"),
        ({"kind": "carousel", "thread": 0, "format": "pdf", "scale": 3}, "scale"),  # free plan: up to 2
        ({"kind": "carousel", "format": "pdf"}, "thread"),
        ({"kind": "bulk", "threads": "some", "format": "png"}, "threads"),
        ({"kind": "bulk", "threads": "all", "format": "zip"}, "format"),
        ({"kind": "bulk", "threads": "all", "kinds": ["poster"], "format": "png"}, "kinds"),
        ({"kind": "carousel", "thread": 0, "format": "pdf", "preset": 999999}, "preset"),
        (
            {"kind": "carousel", "thread": 0, "format": "pdf", "style": {"text": {"size": 900}}},
            "style.text.size",
        ),
    ],
)
def test_bad_requests_are_refused_naming_the_field(as_alice, thread, body, field):
    body = {**body, **({"thread": thread.pk} if body.get("thread") == 0 else {})}
    response = create(as_alice, body)

    assert response.status_code == 400, response.json()
    assert response.json()["message"].startswith(f"{field}:"), response.json()
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_another_users_thread_and_an_empty_thread_are_refused(as_alice, bob, alice):
    theirs = thread_with_posts(bob, "Bob's post.")
    empty = thread_with_posts(alice, title="Nothing yet")

    not_mine = create(as_alice, {"kind": "cards", "thread": theirs.pk, "format": "png"})
    nothing = create(as_alice, {"kind": "cards", "thread": empty.pk, "format": "png"})

    assert not_mine.status_code == 400
    assert not_mine.json()["message"] == f"thread: you have no thread {theirs.pk}."
    assert nothing.status_code == 400
    assert "has no posts" in nothing.json()["message"]


@pytest.mark.django_db
def test_bulk_size_is_limited_by_the_plan_and_overall(as_alice, alice):
    ids = [thread_with_posts(alice, f"Post {n}", title=f"T{n}").pk for n in range(6)]

    too_many_for_free = create(as_alice, {"kind": "bulk", "threads": ids, "format": "png"})
    alice.plan = Plan.objects.get(code="pro")
    alice.save()
    over_the_top = create(as_alice, {"kind": "bulk", "threads": list(range(1, 502)), "format": "png"})

    assert too_many_for_free.status_code == 400
    assert "at most 5 threads" in too_many_for_free.json()["message"]
    assert over_the_top.status_code == 400
    assert over_the_top.json()["message"] == "threads: at most 500 threads in one export."


@pytest.mark.django_db
def test_a_bulk_export_is_one_zip_with_a_folder_per_thread_and_an_index(as_alice, alice):
    for n in (1, 2):
        thread_with_posts(alice, f"Thread {n}, first post.", f"Thread {n}, second post.", title=f"Thread {n}")
    response = create(
        as_alice, {"kind": "bulk", "threads": "all", "kinds": ["cards", "carousel"], "format": "png"}
    )
    job = run(response.json()["id"])

    assert job.status == "succeeded", job.error
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download(as_alice, job.pk).streaming_content)))
    index = json.loads(archive.read("index.json"))
    listed = {file["file"] for thread in index["threads"] for file in thread["files"]}
    assert listed | {"index.json"} == set(archive.namelist())
    assert [thread["title"] for thread in index["threads"]] == ["Thread 2", "Thread 1"]
    assert "001-thread-2/card-01.png" in listed
    assert "002-thread-1/slide-04.png" in listed
    assert MonthlyUsage.objects.get(user=alice).exports == 4, "2 threads × 2 kinds"
    assert not default_storage.listdir(f"export-parts/{job.pk}")[1], "parts are removed once assembled"


@pytest.mark.django_db
def test_over_quota_is_a_429_saying_when_it_resets(as_alice, alice, thread):
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=alice.plan.exports_per_month)

    response = create(as_alice, {"kind": "cards", "thread": thread.pk, "format": "png"})

    assert response.status_code == 429
    assert response.json()["message"].startswith(
        "exports: your plan allows 50 exports a month and 0 are left"
    )
    assert "resets on" in response.json()["message"]


@pytest.mark.django_db
def test_a_failed_job_gives_its_export_back(as_alice, alice, thread):
    job_id = create(as_alice, {"kind": "cards", "thread": thread.pk, "format": "png"}).json()["id"]
    thread.delete()

    job = run(job_id)

    assert job.status == "failed"
    assert "was deleted" in job.error
    assert MonthlyUsage.objects.get(user=alice).exports == 0


@pytest.mark.django_db
def test_jobs_are_listed_for_their_owner_only(as_alice, bob, thread):
    job_id = create(as_alice, {"kind": "cards", "thread": thread.pk, "format": "png"}).json()["id"]
    api = APIClient()
    api.force_authenticate(bob)

    assert [job["id"] for job in as_alice.get(JOBS).json()["results"]] == [job_id]
    assert api.get(JOBS).json()["results"] == []
    assert api.get(f"{JOBS}{job_id}/").status_code == 404
    assert api.post(f"{JOBS}{job_id}/cancel/").status_code == 404


@pytest.mark.django_db
def test_the_export_command_refuses_bad_input_naming_the_option(alice, thread):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"^format: a carousel export is one of"):
        call_command("export", user=alice.email, threads=str(thread.pk), kind="carousel", format="gif")
    with pytest.raises(CommandError, match="No user"):
        call_command("export", user="nobody@example.com", threads="all")
    with pytest.raises(CommandError, match="--threads"):
        call_command("export", user=alice.email, threads="one,two")


@pytest.mark.django_db
def test_a_job_is_sent_to_the_workers_only_once_its_transaction_commits(
    as_alice, thread, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_id = create(as_alice, {"kind": "cards", "thread": thread.pk, "format": "png"}).json()["id"]
        assert sent == [], "nothing is sent inside the transaction"
    with django_capture_on_commit_callbacks(execute=True):  # the send commits its own mark first
        for callback in callbacks:
            callback()

    assert sent == [("rendering.run_job", job_id)]


@pytest.mark.django_db
def test_a_job_run_twice_gives_one_result(as_alice, thread):
    job_id = create(as_alice, {"kind": "thread", "thread": thread.pk, "format": "png"}).json()["id"]

    first = run(job_id)
    second = run(job_id)

    assert first.status == second.status == "succeeded"
    assert second.result.name == first.result.name
    assert second.attempts == 1
    assert len(default_storage.listdir(f"exports/{job_id}")[1]) == 1


@pytest.mark.django_db
def test_the_reconciler_sends_again_what_was_lost_and_gives_up_on_crashers(
    as_alice, alice, thread, sent, settings
):
    import datetime

    from django.utils import timezone

    Plan.objects.filter(code=alice.plan_id).update(max_running_jobs=4)
    settings.JOB_REQUEUE_AFTER = 30
    settings.JOB_STALE_AFTER = 30
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    body = {"kind": "cards", "thread": thread.pk, "format": "png"}
    fresh, lost, dead, crasher = (create(as_alice, body).json()["id"] for _ in range(4))
    Job.objects.filter(pk=fresh).update(enqueued=timezone.now())  # its message just sent
    Job.objects.filter(pk=lost).update(enqueued=long_ago)
    Job.objects.filter(pk=dead).update(status="running", heartbeat=long_ago, attempts=1)
    Job.objects.filter(pk=crasher).update(status="running", heartbeat=long_ago, attempts=3)

    assert jobs.jobs_reconcile() == {"jobs": 2, "parts": 0, "assemblies": 0, "waiting": 0}
    assert sorted(sent) == sorted([("rendering.run_job", lost), ("rendering.run_job", dead)])
    assert Job.objects.get(pk=fresh).status == "queued", "a recent job is left to its message"
    given_up = Job.objects.get(pk=crasher)
    assert given_up.status == "failed"
    assert "stopped its worker 3 times" in given_up.error
    assert run(dead).status == "succeeded", "a stale run is taken over"


@pytest.mark.django_db
def test_old_jobs_and_their_files_are_cleaned_up(as_alice, thread, settings):
    import datetime

    from django.utils import timezone

    old = run(create(as_alice, {"kind": "thread", "thread": thread.pk, "format": "png"}).json()["id"])
    recent = run(create(as_alice, {"kind": "thread", "thread": thread.pk, "format": "jpeg"}).json()["id"])
    Job.objects.filter(pk=old.pk).update(finished=timezone.now() - datetime.timedelta(days=8))

    assert jobs.jobs_clean_up() == 1
    assert not default_storage.exists(old.result.name)
    assert default_storage.exists(recent.result.name)
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_a_failed_bulk_export_leaves_no_parts_behind(as_alice, alice):
    keep = thread_with_posts(alice, "Stays.", title="Stays")
    gone = thread_with_posts(alice, "Goes.", title="Goes")
    job_id = create(as_alice, {"kind": "bulk", "threads": [keep.pk, gone.pk], "format": "png"}).json()["id"]
    jobs.bulk_start(job_id=job_id)
    parts = list(Job.objects.get(pk=job_id).parts.order_by("number"))
    jobs.part_run(part_id=parts[0].pk)
    assert default_storage.listdir(f"export-parts/{job_id}")[1]
    gone_id = gone.pk
    gone.delete()

    jobs.part_run(part_id=parts[1].pk)

    job = Job.objects.get(pk=job_id)
    assert job.status == "failed"
    assert job.error == f"thread {gone_id} was deleted after the export was made."
    assert default_storage.listdir(f"export-parts/{job_id}")[1] == []
    assert MonthlyUsage.objects.get(user=alice).exports == 0


@pytest.mark.django_db
def test_a_cancelled_bulk_export_stops_its_parts_and_keeps_no_files(as_alice, alice):
    ids = [thread_with_posts(alice, f"Post {n}.", title=f"T{n}").pk for n in range(3)]
    job_id = create(as_alice, {"kind": "bulk", "threads": ids, "format": "png"}).json()["id"]
    jobs.bulk_start(job_id=job_id)
    parts = list(Job.objects.get(pk=job_id).parts.order_by("number"))
    jobs.part_run(part_id=parts[0].pk)

    assert as_alice.post(f"{JOBS}{job_id}/cancel/").json()["status"] == "cancelled"
    for part in parts[1:]:
        jobs.part_run(part_id=part.pk)
    jobs.bulk_assemble(job_id=job_id)

    job = Job.objects.get(pk=job_id)
    assert job.status == "cancelled"
    assert not job.result
    assert default_storage.listdir(f"export-parts/{job_id}")[1] == []
    assert list(job.parts.values_list("status", flat=True)) == ["succeeded", "queued", "queued"]


@pytest.mark.django_db
def test_a_carousel_can_choose_order_and_retitle_its_posts(as_alice, alice):
    thread = thread_with_posts(alice, "Alpha post.", "Bravo post.", "Charlie post.", title="Original")
    body = {
        "kind": "carousel",
        "thread": thread.pk,
        "format": "pdf",
        "carousel": {"posts": [3, 1], "title": "A new cover", "end_text": "Thanks for reading!"},
    }
    job = run(create(as_alice, body).json()["id"])

    import pikepdf

    pdf = pikepdf.open(default_storage.open(job.result.name))
    subject = str(pdf.docinfo["/Subject"])
    assert len(pdf.pages) == 4  # cover, post 3, post 1, end
    assert subject.index("Charlie") < subject.index("Alpha")
    assert "Bravo" not in subject
    assert "A new cover" in subject
    assert "Thanks for reading!" in subject


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("carousel", "field"),
    [
        ({"posts": [4]}, "carousel.posts[0]"),
        ({"posts": [1, 1]}, "carousel.posts[1]"),
        ({"posts": []}, "carousel.posts"),
        ({"posts": ["1"]}, "carousel.posts[0]"),
        ({"title": "x" * 201}, "carousel.title"),
        ({"colour": "red"}, "carousel.colour"),
    ],
)
def test_bad_carousel_choices_are_refused_by_name(as_alice, alice, carousel, field):
    thread = thread_with_posts(alice, "One.", "Two.", "Three.")
    body = {"thread": thread.pk, "carousel": carousel}
    response = create(as_alice, {**body, "kind": "carousel", "format": "pdf"})
    cards = create(as_alice, {**body, "kind": "cards", "format": "png", "carousel": {"posts": [1]}})

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}:"), response.json()
    assert cards.json()["message"].startswith("carousel:")


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("A short title", "a-short-title"),
        (
            "Why sourdough needs patience and a warm kitchen and more than anything a good starter",
            "why-sourdough-needs-patience-and-a-warm-kitchen-and-more",
        ),
        ("x" * 80, "x" * 60),
        ("日本語だけ", "thread"),
    ],
)
def test_file_names_are_cut_at_a_words_end(title, name):
    from rendering.jobs.storage import safe_name

    assert safe_name(title) == name
    assert len(safe_name(title)) <= 60


def zip_index(client, job_id: int, name: str = "index.json"):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download(client, job_id).streaming_content)))
    return json.loads(archive.read(name))


@pytest.mark.django_db
def test_a_bulk_exports_index_gives_each_files_page_alt_and_posts_as_a_single_export_does(as_alice, alice):
    thread = thread_with_posts(alice, "Alpha post.", "Bravo post, the second.", title="Phonetic")
    bulk = run(
        create(
            as_alice,
            {"kind": "bulk", "threads": [thread.pk], "kinds": ["cards", "carousel"], "format": "png"},
        ).json()["id"]
    )
    singles = {
        kind: run(create(as_alice, {"kind": kind, "thread": thread.pk, "format": "png"}).json()["id"])
        for kind in ("cards", "carousel")
    }

    files = zip_index(as_alice, bulk.pk)["threads"][0]["files"]
    assert all(list(entry) == ["file", "page", "alt", "posts"] for entry in files), files
    cards = [entry for entry in files if "/card-" in entry["file"]]
    slides = [entry for entry in files if "/slide-" in entry["file"]]
    assert [(entry["file"], entry["page"], entry["posts"]) for entry in cards] == [
        ("001-phonetic/card-01.png", 1, [1]),
        ("001-phonetic/card-02.png", 2, [2]),
    ]
    assert "Bravo post, the second." in cards[1]["alt"]
    assert [entry["page"] for entry in slides] == [1, 2, 3, 4]
    assert [entry["posts"] for entry in slides] == [[], [1], [2], []], "cover, the posts, the end"
    for kind, entries in (("cards", cards), ("carousel", slides)):
        single = zip_index(as_alice, singles[kind].pk)
        assert [{**entry, "file": entry["file"].removeprefix("001-phonetic/")} for entry in entries] == single


@pytest.mark.django_db
def test_a_part_rendered_before_the_richer_index_is_still_assembled(as_alice, alice):
    thread_with_posts(alice, "Only post.", title="Old part")
    job_id = create(as_alice, {"kind": "bulk", "threads": "all", "kinds": ["cards"], "format": "png"}).json()[
        "id"
    ]
    jobs.bulk_start(job_id=job_id)
    part = Job.objects.get(pk=job_id).parts.get()
    jobs.part_run(part_id=part.pk)
    # As a worker of an earlier release stored it ([file, alt] pairs), in
    # the folder per thread that migration 0008 wraps old parts' files in.
    part.refresh_from_db()
    part.index = [
        {**thread, "files": [[entry["file"], entry["alt"]] for entry in thread["files"]]}
        for thread in part.index
    ]
    part.save(update_fields=["index"])

    jobs.bulk_assemble(job_id=job_id)

    assert Job.objects.get(pk=job_id).status == "succeeded"
    files = zip_index(as_alice, job_id)["threads"][0]["files"]
    assert files == [{"file": "001-old-part/card-01.png", "alt": files[0]["alt"]}]
    assert "Only post." in files[0]["alt"]
