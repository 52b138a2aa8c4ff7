"""An address belongs to the account that verified it, else to the one that
signs in with it. Another account can neither claim it, nor get a reset
link for it, nor keep its owner from signing up with it."""

import pytest
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.mailbox import RESET, VERIFY, links_in, mails_to, only_link, verify_address
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/api/v1/accounts/signup/"
BOBS_PASSWORD = "bob's own sturdy passphrase"
NEW_PASSWORD = "an entirely different phrase"


def change_address(browser: Client, email: str):
    return browser.post("/accounts/email/", {"email": email, "action_add": ""}, follow=True)


def reset_password_by_mail(email: str, password: str) -> Client:
    browser = Client()
    browser.post("/accounts/password/reset/", {"email": email})
    form = browser.get(only_link(email, RESET), follow=True)
    browser.post(form.redirect_chain[-1][0], {"password1": password, "password2": password})
    return browser


@pytest.fixture
def alices_browser(client, alice):
    client.force_login(alice)
    return client


def bob_signs_up(email="bob@example.com"):
    response = APIClient().post(SIGNUP, {"email": email, "password": BOBS_PASSWORD})
    assert response.status_code == 202
    return User.objects.get(email=email)


@pytest.mark.parametrize("bob_verified", [False, True])
def test_another_accounts_address_cannot_be_claimed(alices_browser, alice, bob_verified):
    bob = bob_signs_up()
    if bob_verified:
        verify_address(Client(), bob.email)
    mail.outbox.clear()

    page = change_address(alices_browser, "Bob@Example.com")

    assert page.status_code == 200
    assert b"Confirmation email sent to bob@example.com" in page.content, "answered as for a free address"
    assert not EmailAddress.objects.filter(user=alice, email="bob@example.com").exists()
    assert mail.outbox == [], "nothing sent: bob's inbox is not asked to hand his address over"
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert EmailAddress.objects.get(user=bob).verified is bob_verified


def test_a_free_address_replaces_the_old_one_only_once_verified(alices_browser, alice):
    page = change_address(alices_browser, "alice.new@example.com")

    assert b"Confirmation email sent to alice.new@example.com" in page.content
    alice.refresh_from_db()
    assert alice.email == "alice@example.com", "nothing changes before the link is followed"
    assert not EmailAddress.objects.get(user=alice, email="alice.new@example.com").verified

    verify_address(alices_browser, "alice.new@example.com")

    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", "verified", "primary")) == [
        ("alice.new@example.com", True, True)
    ]


def test_a_reset_for_an_address_mails_only_its_owners_link(alices_browser, alice):
    # Alice asks for an address while it is free; Bob then signs up with it.
    change_address(alices_browser, "shared@example.com")
    bob = bob_signs_up("shared@example.com")
    assert EmailAddress.objects.filter(email="shared@example.com").count() == 2
    mail.outbox.clear()

    reset_password_by_mail("shared@example.com", NEW_PASSWORD)

    bob.refresh_from_db()
    alice.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    assert alice.check_password(PASSWORD), "no link for alice's account went to bob's inbox"


def test_an_address_only_added_elsewhere_gets_no_reset_link(alices_browser):
    change_address(alices_browser, "pending@example.com")
    mail.outbox.clear()

    Client().post("/accounts/password/reset/", {"email": "pending@example.com"})

    assert not any(links_in(message, RESET) for message in mails_to("pending@example.com"))


def test_an_address_only_added_elsewhere_does_not_stop_its_owner_signing_up(alices_browser):
    change_address(alices_browser, "erin@example.com")
    mail.outbox.clear()
    cache.clear()  # allauth mails an address at most every few minutes

    Client().post("/accounts/signup/", {"email": "erin@example.com", "password1": "violet harbour lantern"})

    erin = User.objects.get(email="erin@example.com")
    assert EmailAddress.objects.filter(user=erin, email="erin@example.com").exists()
    verify_address(Client(), "erin@example.com")
    assert EmailAddress.objects.get(user=erin).verified


def test_a_pending_address_taken_meanwhile_cannot_be_confirmed(alices_browser, alice):
    change_address(alices_browser, "taken@example.com")
    alices_link = only_link("taken@example.com", VERIFY)
    bob = bob_signs_up("taken@example.com")

    alices_browser.get(alices_link)
    page = alices_browser.post(alices_link, follow=True)

    assert b"Unable to confirm taken@example.com" in page.content
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert not EmailAddress.objects.get(user=alice, email="taken@example.com").verified
    assert User.objects.get(email="taken@example.com") == bob


def test_the_api_sign_up_is_not_stopped_by_an_address_pending_elsewhere(alices_browser):
    change_address(alices_browser, "frank@example.com")

    bob_signs_up("frank@example.com")

    assert User.objects.filter(email="frank@example.com").exists()


def test_a_verified_address_belongs_to_its_account_even_against_an_older_login(db):
    # Data from before addresses had to be verified: one account verified an
    # address another signs in with. The verified one owns it.
    holder = UserFactory(email="holder@example.com")
    EmailAddress.objects.create(user=holder, email="both@example.com", verified=True)
    UserFactory(email="both@example.com", email_verified=False)
    mail.outbox.clear()

    Client().post("/accounts/password/reset/", {"email": "both@example.com"})

    link = only_link("both@example.com", RESET)
    assert link.startswith(f"/accounts/password/reset/key/{user_pk_to_url_str(holder)}-")
