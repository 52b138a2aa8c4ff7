import io
import random

import factory
from PIL import Image

from accounts.models import Plan, User

PASSWORD = "a long and unusual passphrase"


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
