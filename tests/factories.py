import io
import random

import factory
from allauth.account.models import EmailAddress
from PIL import Image

from accounts.models import Plan, User

PASSWORD = "a long and unusual passphrase"


def unlimited_plan(code: str, *, watermark_forced: bool = True) -> Plan:
    """A plan whose quotas and rate limit never get in the way: for the
    contract test and the benchmarks, which test the API, not the limits."""
    plan, _ = Plan.objects.update_or_create(
        code=code,
        defaults={
            "name": code.capitalize(),
            "watermark_forced": watermark_forced,
            "shows_ads": False,
            "exports_per_month": 10**6,
            "max_scale": 3,
            "bulk_max_threads": 500,
            "api_requests_per_minute": 10**6,
            "max_running_jobs": 10**6,
            "previews_per_minute": 10**6,
            "previews_per_day": 10**6,
        },
    )
    return plan


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    plan_id = Plan.FREE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()

    @factory.post_generation
    def email_verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Verified unless `email_verified=False`: as if the link mailed at
        sign-up had been followed (tests/accounts follow it for real)."""
        if create:
            verified = extracted is not False
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=verified)


def png_bytes(width: int = 40, height: int = 30, color: str = "#7c3aed", *, noise: bool = False) -> bytes:
    """A small PNG; with noise it hardly compresses (for size limits)."""
    image = (
        Image.frombytes("RGB", (width, height), random.Random(width * height).randbytes(width * height * 3))
        if noise
        else Image.new("RGB", (width, height), color)
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "threads.Thread"

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    author_name = "Ada Lovelace"
    handle = "ada"


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "threads.Post"

    thread = factory.SubFactory(ThreadFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Post number {n}.")


def thread_with_posts(owner: User, *texts: str, title: str = "A thread") -> "object":
    thread = ThreadFactory(owner=owner, title=title)
    for position, text in enumerate(texts, start=1):
        PostFactory(thread=thread, position=position, text=text)
    return thread


def one_of_everything(owner: User, first_id: int | None = None) -> dict:
    """A thread with an image and an avatar, a preset, a finished and a
    queued job and a webhook, all `owner`'s. With `first_id` (PostgreSQL),
    the thread, image, preset, finished job and webhook all get that id."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rendering import jobs
    from rendering.models import Job
    from threads.models import PostImage, StylePreset, Thread
    from threads.services import post_image_add, thread_set_avatar
    from webhooks.models import Endpoint

    def next_id(model: type) -> None:
        if first_id is not None:
            set_next_id(model, first_id)

    next_id(Thread)
    thread = thread_with_posts(owner, f"{owner.email}'s first post", f"{owner.email}'s second post")
    next_id(PostImage)
    image = post_image_add(
        post=thread.posts.get(position=1), upload=SimpleUploadedFile("a.png", png_bytes()), alt="theirs"
    )
    thread_set_avatar(thread=thread, upload=SimpleUploadedFile("a.png", png_bytes()))
    next_id(StylePreset)
    preset = StylePreset.objects.create(owner=owner, name="Theirs", style={"version": 1})
    request = jobs.JobRequest(kind="thread", threads=[thread.pk], format="png")
    next_id(Job)
    job, _ = jobs.job_create(user=owner, request=request)
    jobs.job_run(job_id=job.pk)
    queued_job, _ = jobs.job_create(user=owner, request=request)
    next_id(Endpoint)
    hook = Endpoint.objects.create(owner=owner, url="https://example.com/hook")
    return {
        "thread": thread,
        "image": image,
        "preset": preset,
        "job": Job.objects.get(pk=job.pk),
        "queued_job": queued_job,
        "hook": hook,
    }


def set_next_id(model: type, value: int) -> None:
    """PostgreSQL: the next row created of `model` gets the id `value`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [model._meta.db_table, value]
        )
