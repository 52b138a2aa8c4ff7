"""No API token before the address is verified: the mailed link opens the
way, on the website and through the API alike, and the admin can vouch for
accounts made by hand."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client

from accounts.models import ApiToken, User
from tests.accounts.mailbox import verify_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/accounts/tokens/"
ADMIN_PASSWORD = "a sturdy admin passphrase"


def test_the_website_sign_up_link_opens_the_api(client):
    client.post("/accounts/signup/", {"email": "gina@example.com", "password1": "violet harbour lantern"})
    assert client.post(TOKENS, {"name": "x"}, content_type="application/json").status_code == 401

    verify_address(client, "gina@example.com")

    response = client.post(TOKENS, {"name": "from the site"}, content_type="application/json")
    assert response.status_code == 201
    assert ApiToken.objects.get().user.email == "gina@example.com"


def test_the_api_page_says_why_no_token_was_made(client, password):
    carol = UserFactory(email="carol@example.com", email_verified=False)
    client.force_login(carol)  # e.g. signed in through the admin

    page = client.post("/api-keys/tokens/", {"name": "laptop"})

    assert page.status_code == 400
    assert b"Verify your email address first" in page.content
    assert b"data-secret" not in page.content
    assert not ApiToken.objects.exists()


def test_staff_can_vouch_for_an_address_in_the_admin(client, password):
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    made_by_hand = User.objects.create_user("hand@example.com", password)
    client.force_login(staff)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "verify_email", "_selected_action": [made_by_hand.pk]},
    )

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=made_by_hand).verified
    token = Client().post(
        TOKENS, {"email": "hand@example.com", "password": password}, content_type="application/json"
    )
    assert token.status_code == 201


def test_vouching_for_an_address_another_account_verified_is_refused(client):
    # Data from before addresses had to be verified.
    holder = UserFactory(email="holder@example.com")
    EmailAddress.objects.create(user=holder, email="both@example.com", verified=True)
    latecomer = UserFactory(email="both@example.com", email_verified=False)
    client.force_login(UserFactory(email="staff@example.com", is_staff=True, is_superuser=True))

    response = client.post(
        "/admin/accounts/user/", {"action": "verify_email", "_selected_action": [latecomer.pk]}
    )

    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["both@example.com: Another account has verified this address."]
    assert not EmailAddress.objects.get(user=latecomer).verified


def test_createsuperuser_then_the_admin_then_the_website(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ADMIN_PASSWORD)
    call_command("createsuperuser", "--noinput", email="Owner@Example.com")

    admin_login = client.post("/admin/login/", {"username": "owner@example.com", "password": ADMIN_PASSWORD})
    assert admin_login.status_code == 302
    assert client.get("/admin/").status_code == 200
    refused = Client().post(
        TOKENS, {"email": "owner@example.com", "password": ADMIN_PASSWORD}, content_type="application/json"
    )
    assert refused.status_code == 403

    website = Client()
    website.post("/accounts/login/", {"login": "owner@example.com", "password": ADMIN_PASSWORD})
    verify_address(website, "owner@example.com")

    assert website.get("/dashboard/").status_code == 200
    allowed = Client().post(
        TOKENS, {"email": "owner@example.com", "password": ADMIN_PASSWORD}, content_type="application/json"
    )
    assert allowed.status_code == 201
