"""A password change or reset leaves nothing to whoever knew the old one:
every API token is revoked, every other session signed out, and the owner
is told which tokens went. Done as people do it: the website's forms, the
link in the reset mail, the admin."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_create
from tests.accounts.mailbox import RESET, mails_to, only_link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an entirely different phrase"
ME = "/api/v1/accounts/me/"


def signed_in_browser(user):
    browser = Client()
    browser.force_login(user)
    return browser


def is_signed_in(browser: Client) -> bool:
    return browser.get("/dashboard/").status_code == 200


def token_works(secret: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api.get(ME).status_code == 200


def sessions_of(user) -> list[str]:
    return [
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


@pytest.fixture
def alices_tokens(alice):
    laptop, laptop_secret = token_create(user=alice, name="laptop")
    ci, ci_secret = token_create(user=alice, name="ci")
    return {"laptop": (laptop, laptop_secret), "ci": (ci, ci_secret)}


def test_changing_the_password_revokes_tokens_and_signs_out_other_browsers(
    alice, bob, password, alices_tokens
):
    here, elsewhere = signed_in_browser(alice), signed_in_browser(alice)
    bobs_browser = signed_in_browser(bob)
    _, bobs_secret = token_create(user=bob, name="bob's")

    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    # Deleted, not merely refused when next seen (Django's session hash).
    assert sessions_of(alice) == [here.session.session_key]
    assert is_signed_in(here), "the browser that changed it stays signed in"
    assert not is_signed_in(elsewhere)
    assert not ApiToken.objects.filter(user=alice).exists()
    assert not any(token_works(secret) for _, secret in alices_tokens.values())
    assert is_signed_in(bobs_browser), "nobody else is touched"
    assert token_works(bobs_secret)


def test_the_owner_is_told_which_tokens_were_revoked(client, alice, password, alices_tokens):
    client.force_login(alice)
    signed_in_browser(alice)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    [notice] = mails_to("alice@example.com")
    assert "changed" in notice.subject
    for token, _ in alices_tokens.values():
        assert f"{token.name} ({token.display_prefix}…)" in notice.body
    assert "signed out every other browser" in notice.body
    assert "(1 session)" in notice.body
    assert "/api-keys/" in notice.body


def test_a_reset_by_mail_revokes_tokens_and_signs_out_everywhere(client, alice, alices_tokens):
    browsers = [signed_in_browser(alice), signed_in_browser(alice)]

    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    link = only_link("alice@example.com", RESET)
    form = client.get(link, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert sessions_of(alice) == []
    assert not any(is_signed_in(browser) for browser in browsers)
    assert not is_signed_in(client)
    assert not any(token_works(secret) for _, secret in alices_tokens.values())
    notice = mails_to("alice@example.com")[-1]
    assert "reset" in notice.subject
    assert "    laptop (tn_" in notice.body
    assert "    ci (tn_" in notice.body
    assert "signed out every browser" in notice.body


def test_a_reset_from_a_browser_signed_in_as_the_same_user_signs_it_out_too(client, alice):
    client.force_login(alice)

    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    form = client.get(only_link("alice@example.com", RESET), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert not is_signed_in(client)
    assert sessions_of(alice) == []
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_password_set_in_the_admin_revokes_the_users_tokens_and_sessions(alice, alices_tokens):
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    admin = signed_in_browser(staff)
    alices_browser = signed_in_browser(alice)

    response = admin.post(
        f"/admin/accounts/user/{alice.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert sessions_of(alice) == []
    assert not is_signed_in(alices_browser)
    assert not any(token_works(secret) for _, secret in alices_tokens.values())
    assert admin.get("/admin/").status_code == 200
    assert "laptop" in mails_to("alice@example.com")[0].body


def test_staff_changing_their_own_password_in_the_admin_stay_signed_in_there(db):
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    admin, other = signed_in_browser(staff), signed_in_browser(staff)

    response = admin.post(
        f"/admin/accounts/user/{staff.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert sessions_of(staff) == [admin.session.session_key]
    assert admin.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 302


def test_a_wrong_current_password_changes_nothing(client, alice, alices_tokens):
    client.force_login(alice)
    elsewhere = signed_in_browser(alice)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": "not my password at all", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert is_signed_in(elsewhere)
    assert ApiToken.objects.filter(user=alice).count() == 2
    assert mail.outbox == []
