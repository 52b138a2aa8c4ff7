"""A new account starts with a sample thread to try the editor on: once,
whichever way it signed up, and it goes when deleted like any other."""

import pytest
from django.test import Client

from accounts.models import User
from tests.accounts.mailbox import VERIFY, only_link
from threads import services
from threads.models import Thread
from threads.samples import SAMPLE_TITLE

pytestmark = pytest.mark.django_db

PASSWORD = "violet harbour lantern"


def test_a_website_sign_up_gets_the_sample_thread(client: Client) -> None:
    client.post("/accounts/signup/", {"email": "erin@example.com", "password1": PASSWORD})

    erin = User.objects.get(email="erin@example.com")
    [sample] = Thread.objects.filter(owner=erin)
    assert sample.title == SAMPLE_TITLE
    assert sample.author_name
    assert sample.handle
    assert sample.posts.count() == 5
    assert "sample thread" in sample.posts.get(position=1).text


def test_an_api_sign_up_gets_it_too_and_sees_it_once_signed_in(api, client: Client) -> None:
    api.post("/api/v1/accounts/signup/", {"email": "finn@example.com", "password": PASSWORD})
    client.get(only_link("finn@example.com", VERIFY))
    client.login(email="finn@example.com", password=PASSWORD)

    page = client.get("/dashboard/")

    assert SAMPLE_TITLE in page.content.decode()
    assert Thread.objects.filter(owner__email="finn@example.com").count() == 1


def test_a_taken_address_makes_no_second_sample(client: Client, alice) -> None:
    client.post("/accounts/signup/", {"email": alice.email, "password1": PASSWORD})

    assert not Thread.objects.filter(owner=alice).exists()


def test_the_sample_can_be_deleted_and_does_not_come_back(client: Client) -> None:
    client.post("/accounts/signup/", {"email": "gus@example.com", "password1": PASSWORD})
    gus = User.objects.get(email="gus@example.com")
    services.thread_delete(thread=Thread.objects.get(owner=gus))
    client.get(only_link("gus@example.com", VERIFY))
    client.login(email="gus@example.com", password=PASSWORD)

    client.get("/dashboard/")

    assert not Thread.objects.filter(owner=gus).exists()
