"""Sign-up, sign-in, sign-out, password change and reset on the website,
through real requests with the templates rendered."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.accounts.mailbox import VERIFY, links_in, mails_to, only_link, verify_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an entirely different phrase"


def test_sign_up_asks_to_verify_then_the_link_signs_in(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert b'name="email"' in page.content
    assert b"/static/frontend/app.css" in page.content, "account pages use the site's layout"

    response = client.post(
        "/accounts/signup/",
        {"email": "Carol@Example.com", "password1": "violet harbour lantern"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert b"Verify Your Email Address" in response.content
    assert client.get("/dashboard/").status_code == 302, "not signed in before verifying"
    user = User.objects.get()
    assert user.email == "carol@example.com"
    assert user.plan_id == "free"

    response = verify_address(client, "carol@example.com")

    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "Start here: your first carousel" in response.content.decode()  # the sample thread
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_with_a_taken_email_looks_the_same_and_mails_the_owner(client, alice):
    taken = client.post(
        "/accounts/signup/", {"email": "ALICE@example.com", "password1": "violet harbour lantern"}
    )
    free = Client().post(
        "/accounts/signup/", {"email": "erin@example.com", "password1": "violet harbour lantern"}
    )

    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email="alice@example.com").count() == 1
    [notice] = mails_to("alice@example.com")
    assert "already have an account" in notice.subject
    assert not links_in(notice, VERIFY)
    only_link("erin@example.com", VERIFY)


def test_an_unverified_account_cannot_sign_in_and_is_sent_the_link_again(client, password):
    carol = UserFactory(email="carol@example.com", email_verified=False)

    response = client.post("/accounts/login/", {"login": carol.email, "password": password}, follow=True)

    assert b"Verify Your Email Address" in response.content
    assert client.get("/dashboard/").status_code == 302
    verify_address(client, carol.email)
    assert client.get("/dashboard/").status_code == 200


def test_sign_up_with_a_weak_password_shows_an_error(client):
    response = client.post("/accounts/signup/", {"email": "dan@example.com", "password1": "12345"})

    assert response.status_code == 200
    assert b"too short" in response.content
    assert not User.objects.exists()


def test_log_in_and_log_out(client, alice, password):
    assert client.get("/dashboard/").status_code == 302

    response = client.post(
        "/accounts/login/", {"login": "Alice@Example.com", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert b"alice@example.com" in response.content

    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_does_not_log_in(client, alice):
    response = client.post("/accounts/login/", {"login": alice.email, "password": "wrong wrong wrong"})

    assert response.status_code == 200
    assert b"not correct" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_password_change(client, alice, password):
    client.force_login(alice)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_reset_by_email(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "ALICE@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_no_reset_link(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert all("/password/reset/key/" not in message.body for message in mail.outbox)


def test_landing_page_shows_plans_from_the_database(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert b"Sign up free" in response.content
    assert b"Pro" in response.content
    assert b"Free" in response.content
    assert b"50 exports a month" in response.content


@pytest.mark.parametrize("verification", ["optional", "none"])
def test_without_mandatory_verification_a_taken_email_is_refused_not_a_500(
    client, alice, settings, verification
):
    settings.ACCOUNT_EMAIL_VERIFICATION = verification

    response = client.post(
        "/accounts/signup/", {"email": "alice@example.com", "password1": "violet harbour lantern"}
    )

    assert response.status_code == 200
    assert b"already" in response.content
    assert User.objects.count() == 1
