import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import ApiToken, User
from tests.accounts.mailbox import RESET, VERIFY, links_in, mails_to, only_link

pytestmark = pytest.mark.django_db

SIGNUP = "/api/v1/accounts/signup/"
GOOD_PASSWORD = "purple mountain seventeen"
ANSWER = "Check your inbox to verify your address."


def test_signup_creates_an_unverified_free_account_and_mails_a_link(api):
    response = api.post(SIGNUP, {"email": "New.Person@Example.COM", "password": GOOD_PASSWORD})

    assert response.status_code == 202
    assert response.json() == {"email": "new.person@example.com", "detail": ANSWER}
    user = User.objects.get()
    assert user.email == "new.person@example.com"
    assert user.plan_id == "free"
    assert user.check_password(GOOD_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    only_link("new.person@example.com", VERIFY)


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@example.com", " Alice@Example.Com "])
def test_a_taken_email_is_answered_like_a_free_one(api, alice, email):
    taken = api.post(SIGNUP, {"email": email, "password": GOOD_PASSWORD})
    free = api.post(SIGNUP, {"email": "someone.new@example.com", "password": GOOD_PASSWORD})

    assert taken.status_code == free.status_code == 202
    assert taken.json() == {"email": "alice@example.com", "detail": ANSWER}
    assert taken.json().keys() == free.json().keys()
    assert taken.headers.keys() == free.headers.keys()
    assert User.objects.filter(email="alice@example.com").count() == 1
    assert alice.check_password(GOOD_PASSWORD) is False


def test_the_owner_of_a_taken_email_is_mailed_instead(api, alice):
    api.post(SIGNUP, {"email": "Alice@Example.com", "password": GOOD_PASSWORD})

    [message] = mails_to("alice@example.com")
    assert "already have an account" in message.subject
    assert "/accounts/login/" in message.body
    assert links_in(message, "/accounts/password/reset/") == ["/accounts/password/reset/"]
    assert not links_in(message, VERIFY)
    assert not links_in(message, RESET), "the reset link itself is only sent when asked for"


def test_repeated_sign_ups_with_a_taken_email_send_one_mail(api, alice):
    for _ in range(3):
        assert api.post(SIGNUP, {"email": alice.email, "password": GOOD_PASSWORD}).status_code == 202

    assert len(mails_to(alice.email)) == 1


def test_an_unverified_sign_up_is_a_taken_email_too(api):
    api.post(SIGNUP, {"email": "first@example.com", "password": GOOD_PASSWORD})
    mail.outbox.clear()
    cache.clear()  # as if the few minutes between two mails to one address had passed

    response = api.post(SIGNUP, {"email": "first@example.com", "password": "another fine passphrase"})

    assert response.status_code == 202
    assert User.objects.count() == 1
    assert "already have an account" in mails_to("first@example.com")[0].subject


def test_the_answer_never_carries_an_id(api, alice):
    for email in ("alice@example.com", "fresh@example.com"):
        body = api.post(SIGNUP, {"email": email, "password": GOOD_PASSWORD}).json()
        assert set(body) == {"email", "detail"}


def test_signing_up_gives_no_api_access_until_the_link_is_followed(api):
    api.post(SIGNUP, {"email": "new@example.com", "password": GOOD_PASSWORD})
    credentials = {"email": "new@example.com", "password": GOOD_PASSWORD, "name": "laptop"}

    refused = api.post("/api/v1/accounts/tokens/", credentials)
    assert refused.status_code == 403
    assert "email" in refused.json()["errors"]
    assert refused.json()["message"].startswith("email: Verify your email address")
    assert not ApiToken.objects.exists()

    link = only_link("new@example.com", VERIFY)
    api.get(link)
    api.post(link)

    assert api.post("/api/v1/accounts/tokens/", credentials).status_code == 201


@pytest.mark.parametrize("password", ["short", "password123456", "12345678901234"])
def test_weak_password_is_refused_naming_the_field(api, password):
    response = api.post(SIGNUP, {"email": "weak@example.com", "password": password})

    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert response.json()["message"].startswith("password:")
    assert not User.objects.exists()


def test_password_like_the_email_is_refused(api):
    response = api.post(SIGNUP, {"email": "marmalade.sandwich@example.com", "password": "marmalade.sandwich"})

    assert response.status_code == 400
    assert "password" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": GOOD_PASSWORD}, "email"),
        ({"email": "not-an-email", "password": GOOD_PASSWORD}, "email"),
        ({"email": "x@example.com"}, "password"),
        ({"email": ["x@example.com"], "password": GOOD_PASSWORD}, "email"),
    ],
)
def test_missing_or_wrong_fields_are_named(api, body, field):
    response = api.post(SIGNUP, body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert field in response.json()["message"]


@pytest.mark.parametrize(
    "raw", [b'{"email": "x@example.com", ', b"[1, 2", b"not json at all", b'"just a string"', b"\xff\xfe{"]
)
def test_malformed_json_is_a_400_not_a_500(api, raw):
    response = api.generic("POST", SIGNUP, raw, "application/json")

    assert response.status_code == 400
    assert response.json()["message"]


def count_hashing(monkeypatch) -> list[int]:
    hasher = type(get_hasher())
    calls: list[int] = []
    encode = hasher.encode
    monkeypatch.setattr(
        hasher, "encode", lambda self, *args, **kwargs: calls.append(1) or encode(self, *args, **kwargs)
    )
    return calls


def test_a_taken_email_costs_the_same_password_hashing(api, alice, monkeypatch):
    calls = count_hashing(monkeypatch)

    api.post(SIGNUP, {"email": alice.email, "password": GOOD_PASSWORD})
    taken = len(calls)
    api.post(SIGNUP, {"email": "fresh@example.com", "password": GOOD_PASSWORD})

    assert taken == len(calls) - taken == 1


def test_the_website_sign_up_costs_the_same_password_hashing(client, alice, monkeypatch):
    calls = count_hashing(monkeypatch)

    client.post("/accounts/signup/", {"email": alice.email, "password1": GOOD_PASSWORD})
    taken = len(calls)
    Client().post("/accounts/signup/", {"email": "fresh@example.com", "password1": GOOD_PASSWORD})

    assert taken == len(calls) - taken == 1
