"""Images still to add (placeholders): a job says which posts it shows
still have them, and `"placeholders": "drop"` leaves them out of the export
and the preview alike."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from rendering import jobs
from rendering.adapters import input_from_thread, without_images_to_add
from rendering.engine.renderer import render
from rendering.models import Job
from tests.factories import png_bytes, thread_with_posts
from threads.models import PostImage
from threads.services import post_image_add
from threads.style import default_style

JOBS = "/api/v1/jobs/"
PREVIEW = "/api/v1/render/preview/"
THREADS = "/api/v1/threads/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch) -> None:
    """The tests play the worker's part (`finish`), so nothing is queued."""
    monkeypatch.setattr("rendering.jobs.dispatch.queue", lambda name, object_id, **_: None)


def upload(post, colour: str, alt: str = "") -> PostImage:
    return post_image_add(post=post, upload=SimpleUploadedFile("p.png", png_bytes(90, 60, colour)), alt=alt)


def waiting_image(post, order: int, alt: str = "") -> PostImage:
    """A picture the importer saw but nobody has uploaded yet."""
    return PostImage.objects.create(post=post, order=order, alt=alt)


def sketchbook_posts(owner):
    return thread_with_posts(
        owner,
        "Sketches from the harbour.",
        "Just words here.",
        "The lighthouse at dusk.",
        "Boats.",
        title="Harbour sketchbook",
    )


@pytest.fixture
def sketchbook(alice):
    """Four posts: 1 has a picture to add before its uploaded red one and
    another after it, before an uploaded blue one; 2 is text only; 3 has
    only a picture to add; 4 has an uploaded green picture."""
    thread = sketchbook_posts(alice)
    first, _, third, fourth = thread.posts.order_by("position")
    red = upload(first, "#ff0000", alt="red sail")
    blue = upload(first, "#0000ff", alt="blue hull")
    PostImage.objects.filter(pk=red.pk).update(order=1)
    PostImage.objects.filter(pk=blue.pk).update(order=3)
    waiting_image(first, 0, alt="the quay")
    waiting_image(first, 2)
    waiting_image(third, 0, alt="the lighthouse")
    upload(fourth, "#00ff00")
    return thread


@pytest.fixture
def sketchbook_filled(alice):
    """The sketchbook as it renders with its pictures to add left out."""
    thread = sketchbook_posts(alice)
    first, _, _, fourth = thread.posts.order_by("position")
    upload(first, "#ff0000", alt="red sail")
    upload(first, "#0000ff", alt="blue hull")
    upload(fourth, "#00ff00")
    return thread


def create(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(JOBS, body, format="json", **headers)


def finish(job_id: int) -> Job:
    jobs.job_run(job_id=job_id)
    job = Job.objects.get(pk=job_id)
    assert job.status == "succeeded", job.error
    return job


def result_bytes(job: Job) -> bytes:
    with default_storage.open(job.result.name) as stored:
        return stored.read()


# --- Warnings ----------------------------------------------------------------------


def test_a_job_names_the_posts_that_still_have_images_to_add(as_alice, sketchbook):
    response = create(as_alice, {"kind": "cards", "thread": sketchbook.pk, "format": "png"})

    assert response.status_code == 202, response.json()
    expected = [
        {
            "code": "images_to_add",
            "thread": sketchbook.pk,
            "posts": [1, 3],
            "message": "Posts 1 and 3 still have images to add; they export as grey boxes.",
        }
    ]
    assert response.json()["warnings"] == expected
    assert response.json()["placeholders"] == "keep"
    assert as_alice.get(f"{JOBS}{response.json()['id']}/").json()["warnings"] == expected
    assert as_alice.get(JOBS).json()["results"][0]["warnings"] == expected
    assert Job.objects.get().warnings == expected


def test_a_carousel_warns_only_about_the_posts_it_shows(as_alice, sketchbook):
    body = {"kind": "carousel", "thread": sketchbook.pk, "format": "pdf"}
    reordered = create(as_alice, {**body, "carousel": {"posts": [4, 3, 2]}}).json()
    without = create(as_alice, {**body, "carousel": {"posts": [2, 4]}}).json()

    assert [w["posts"] for w in reordered["warnings"]] == [[3]], "the thread's own positions"
    assert reordered["warnings"][0]["message"] == (
        "Post 3 still has images to add; they export as grey boxes."
    )
    assert without["warnings"] == []


def test_a_thread_with_every_image_uploaded_has_no_warnings(as_alice, sketchbook_filled):
    response = create(as_alice, {"kind": "thread", "thread": sketchbook_filled.pk, "format": "png"})

    assert response.json()["warnings"] == []


def test_a_bulk_export_warns_thread_by_thread_in_export_order(as_alice, alice, sketchbook):
    plain = thread_with_posts(alice, "Nothing to add.", title="Plain")
    later = thread_with_posts(alice, *[f"Post {n}." for n in range(1, 16)], title="Long one")
    for post in later.posts.order_by("position"):
        waiting_image(post, 0)
    body = {"kind": "bulk", "threads": [later.pk, plain.pk, sketchbook.pk], "format": "png"}

    warnings = create(as_alice, body).json()["warnings"]

    assert [(w["thread"], w["posts"]) for w in warnings] == [
        (later.pk, list(range(1, 16))),
        (sketchbook.pk, [1, 3]),
    ]
    assert warnings[0]["message"] == (
        "“Long one”: Posts 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 3 more still have images to add; "
        "they export as grey boxes."
    )
    assert warnings[1]["message"].startswith("“Harbour sketchbook”: Posts 1 and 3 ")


def test_leaving_them_out_says_what_is_left_out(as_alice, sketchbook):
    body = {"kind": "cards", "thread": sketchbook.pk, "format": "png", "placeholders": "drop"}

    job = create(as_alice, body).json()

    assert job["placeholders"] == "drop"
    assert job["warnings"] == [
        {
            "code": "images_left_out",
            "thread": sketchbook.pk,
            "posts": [1, 3],
            "message": "Posts 1 and 3 still have images to add; they are left out of this export.",
        }
    ]


def test_another_users_placeholders_are_never_counted(alice, bob, sketchbook):
    assert jobs.images_to_add(user=bob, thread_ids=[sketchbook.pk]) == {}
    assert jobs.images_to_add(user=alice, thread_ids=[sketchbook.pk]) == {sketchbook.pk: [1, 3]}


# --- Leaving them out -----------------------------------------------------------------


def test_left_out_they_are_gone_and_uploaded_pictures_keep_their_order(sketchbook):
    data = without_images_to_add(input_from_thread(sketchbook))
    posts = data.thread.posts

    assert [len(post.images) for post in posts] == [2, 0, 0, 1]
    assert [image.alt for image in posts[0].images] == ["red sail", "blue hull"]
    assert set(data.pictures) == {(0, 0), (0, 1), (3, 0)}, "pictures numbered as their images are"
    original = input_from_thread(sketchbook).pictures
    assert data.pictures[(0, 0)] == original[(0, 1)]
    assert data.pictures[(0, 1)] == original[(0, 3)]


def test_a_dropped_export_is_the_thread_as_if_they_had_never_been_there(
    as_alice, sketchbook, sketchbook_filled
):
    body = {"kind": "cards", "format": "zip"}
    dropped = finish(create(as_alice, {**body, "thread": sketchbook.pk, "placeholders": "drop"}).json()["id"])
    kept = finish(create(as_alice, {**body, "thread": sketchbook.pk}).json()["id"])
    filled = finish(create(as_alice, {**body, "thread": sketchbook_filled.pk}).json()["id"])

    dropped_zip = zipfile.ZipFile(io.BytesIO(result_bytes(dropped)))
    filled_zip = zipfile.ZipFile(io.BytesIO(result_bytes(filled)))
    kept_zip = zipfile.ZipFile(io.BytesIO(result_bytes(kept)))
    assert dropped_zip.namelist() == filled_zip.namelist() == kept_zip.namelist()
    for name in dropped_zip.namelist():
        assert dropped_zip.read(name) == filled_zip.read(name), name
    assert kept_zip.read("card-01.png") != dropped_zip.read("card-01.png"), "grey boxes when kept"
    assert "the quay" not in dropped_zip.read("index.json").decode()
    assert "the quay" in kept_zip.read("index.json").decode()


def test_a_post_with_nothing_else_to_show_is_skipped_when_they_are_left_out(as_alice, alice):
    thread = thread_with_posts(alice, "Words.", "  ", title="Mostly words")
    waiting_image(thread.posts.get(position=2), 0)
    body = {"kind": "cards", "thread": thread.pk, "format": "zip"}

    kept = finish(create(as_alice, body).json()["id"])
    dropped = finish(create(as_alice, {**body, "placeholders": "drop"}).json()["id"])

    assert zipfile.ZipFile(io.BytesIO(result_bytes(kept))).namelist() == [
        "card-01.png",
        "card-02.png",
        "index.json",
    ]
    assert zipfile.ZipFile(io.BytesIO(result_bytes(dropped))).namelist() == ["card-01.png", "index.json"]


def test_a_retried_job_renders_as_it_was_asked(as_alice, sketchbook):
    job_id = create(
        as_alice, {"kind": "thread", "thread": sketchbook.pk, "format": "png", "placeholders": "drop"}
    ).json()["id"]
    first = result_bytes(finish(job_id))
    Job.objects.filter(pk=job_id).update(status="queued", result="", attempts=0)

    again = result_bytes(finish(job_id))

    expected = render(
        data=without_images_to_add(input_from_thread(sketchbook)),
        style=default_style(),
        kind="thread",
        fmt="png",
    )
    assert first == again == expected[0].content


# --- Preview == export --------------------------------------------------------------


@pytest.mark.parametrize("placeholders", ["keep", "drop"])
def test_the_preview_is_the_exported_page_either_way(as_alice, sketchbook, placeholders):
    body = {"thread": sketchbook.pk, "placeholders": placeholders}
    job = finish(create(as_alice, {**body, "kind": "thread", "format": "png"}).json()["id"])

    preview = as_alice.post(PREVIEW, {**body, "kind": "thread"}, format="json")

    assert preview.status_code == 200
    assert preview.content == result_bytes(job)


def test_a_studio_carousel_previews_each_slide_as_exported_when_left_out(as_alice, sketchbook):
    body = {"thread": sketchbook.pk, "carousel": {"posts": [3, 1, 4]}, "placeholders": "drop"}
    job = finish(create(as_alice, {**body, "kind": "carousel", "format": "zip"}).json()["id"])
    slides = zipfile.ZipFile(io.BytesIO(result_bytes(job)))
    names = sorted(name for name in slides.namelist() if name.endswith(".png"))

    previews = [
        as_alice.post(PREVIEW, {**body, "kind": "carousel", "page": page}, format="json")
        for page in range(1, len(names) + 1)
    ]

    assert [p.content for p in previews] == [slides.read(name) for name in names]
    assert previews[0]["X-Page-Count"] == str(len(names))


def test_the_preview_of_an_inline_thread_can_leave_them_out(as_alice):
    data = {
        "title": "Inline",
        "author": {"name": "Ana", "handle": "ana"},
        "posts": [{"text": "A post.", "images": [{"alt": "later"}]}],
    }
    body = {"thread_data": data, "kind": "cards"}

    kept = as_alice.post(PREVIEW, body, format="json")
    dropped = as_alice.post(PREVIEW, {**body, "placeholders": "drop"}, format="json")

    assert kept.status_code == dropped.status_code == 200
    assert kept.content != dropped.content
    assert kept["ETag"] != dropped["ETag"]


# --- Refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["maybe", "", "DROP", None, 1, True, ["drop"], {"drop": True}])
def test_anything_but_keep_or_drop_is_refused_naming_the_field(as_alice, sketchbook, value):
    body = {"thread": sketchbook.pk, "placeholders": value}

    job = create(as_alice, {**body, "kind": "cards", "format": "png"})
    preview = as_alice.post(PREVIEW, {**body, "kind": "cards"}, format="json")

    assert job.status_code == preview.status_code == 400
    assert job.json()["message"].startswith("placeholders:"), job.json()
    assert preview.json()["message"].startswith("placeholders:"), preview.json()
    assert not Job.objects.exists()


def test_the_service_refuses_it_too(alice, sketchbook):
    from config.errors import Invalid

    request = jobs.JobRequest(kind="cards", threads=[sketchbook.pk], format="png", placeholders="hide")

    with pytest.raises(Invalid) as refused:
        jobs.job_create(user=alice, request=request)

    assert refused.value.field == "placeholders"


def test_an_idempotency_key_from_before_the_option_still_replays(as_alice, sketchbook):
    body = {"kind": "thread", "thread": sketchbook.pk, "format": "png"}
    first = create(as_alice, body, key="k-1")
    same = create(as_alice, {**body, "placeholders": "keep"}, key="k-1")
    other = create(as_alice, {**body, "placeholders": "drop"}, key="k-1")

    assert same.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    legacy = jobs.JobRequest(kind="thread", threads=[sketchbook.pk], format="png")
    assert Job.objects.get().request_hash == legacy.fingerprint()


# --- The thread API ---------------------------------------------------------------------


def test_a_thread_says_which_posts_still_have_images_to_add(as_alice, sketchbook, sketchbook_filled):
    assert as_alice.get(f"{THREADS}{sketchbook.pk}/").json()["images_to_add"] == [1, 3]
    assert as_alice.get(f"{THREADS}{sketchbook_filled.pk}/").json()["images_to_add"] == []


def test_uploading_the_image_clears_the_post(as_alice, sketchbook):
    upload(sketchbook.posts.get(position=3), "#ffff00")

    assert as_alice.get(f"{THREADS}{sketchbook.pk}/").json()["images_to_add"] == [1]
    job = create(as_alice, {"kind": "cards", "thread": sketchbook.pk, "format": "png"}).json()
    assert job["warnings"][0]["posts"] == [1]


def test_the_schema_shows_the_shapes(as_alice):
    schema = as_alice.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]

    warning = components["JobWarning"]
    assert set(warning["properties"]) == {"code", "thread", "posts", "font", "message"}
    assert components["Job"]["properties"]["warnings"]["items"] == {"$ref": "#/components/schemas/JobWarning"}
    assert "images_to_add" in components["Thread"]["properties"]
    choice = {"$ref": "#/components/schemas/PlaceholdersEnum"}
    assert components["PlaceholdersEnum"]["enum"] == ["keep", "drop"]
    assert components["JobCreateRequest"]["properties"]["placeholders"]["allOf"] == [choice]
    assert components["PreviewRequest"]["properties"]["placeholders"]["allOf"] == [choice]
    assert components["Job"]["properties"]["placeholders"]["allOf"] == [choice]


@pytest.mark.django_db
def test_the_export_command_says_which_images_are_left_out(alice):
    from django.core.management import CommandError, call_command

    from threads.models import PostImage

    thread = thread_with_posts(alice, "A post with a picture to come.", "A plain post.")
    PostImage.objects.create(post=thread.posts.get(position=1), order=0)
    said = io.StringIO()

    with pytest.raises(CommandError, match="still queued"):
        call_command(
            "export",
            user=alice.email,
            threads=str(thread.pk),
            kind="carousel",
            format="pdf",
            placeholders="drop",
            timeout=0,
            stdout=io.StringIO(),
            stderr=said,
        )

    assert "Post 1 still has images to add; they are left out of this export." in said.getvalue()
    assert Job.objects.get().placeholders == "drop"
