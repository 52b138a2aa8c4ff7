import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/accounts/tokens/"
ME = "/api/v1/accounts/me/"


def create_token(api, user, password, name="laptop", **extra):
    response = api.post(TOKENS, {"email": user.email, "password": password, "name": name, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_token_from_email_and_password_is_shown_once_and_stored_hashed(api, alice, password):
    body = create_token(api, alice, password)

    secret = body["token"]
    assert secret.startswith("tn_")
    assert body["name"] == "laptop"
    stored = ApiToken.objects.get(id=body["id"])
    assert secret not in {stored.digest, stored.token_key}
    assert len(stored.digest) == 128

    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    listed = api.get(TOKENS).json()["results"]
    assert [token["name"] for token in listed] == ["laptop"]
    assert "token" not in listed[0]
    assert secret not in str(listed)


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_token_and_bearer_headers_both_work(api, alice, password, keyword):
    secret = create_token(api, alice, password)["token"]
    api.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")

    response = api.get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == "alice@example.com"


def test_several_named_tokens_per_user(api, alice, password):
    for name in ("ci", "laptop", "zapier"):
        create_token(api, alice, password, name=name)

    api.force_authenticate(alice)
    names = sorted(t["name"] for t in api.get(TOKENS).json()["results"])

    assert names == ["ci", "laptop", "zapier"]


def test_wrong_password_gets_no_token(api, alice):
    response = api.post(TOKENS, {"email": alice.email, "password": "not the password at all"})

    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_email_without_password_is_refused_naming_password(api, alice):
    response = api.post(TOKENS, {"email": alice.email})

    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_email_is_case_insensitive_for_tokens(api, alice, password):
    response = api.post(TOKENS, {"email": "ALICE@Example.com", "password": password})

    assert response.status_code == 201


def test_token_from_a_website_session(client, alice):
    client.force_login(alice)

    response = client.post(TOKENS, {"name": "from the site"}, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["token"].startswith("tn_")
    assert ApiToken.objects.get().user == alice


def test_session_token_creation_needs_csrf(alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)

    response = strict.post(TOKENS, {"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_token_cannot_mint_tokens(api, alice, password):
    secret = create_token(api, alice, password)["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = api.post(TOKENS, {"name": "another"})

    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_anonymous_without_credentials_gets_401(api, db):
    assert api.post(TOKENS, {"name": "x"}).status_code == 401
    assert api.get(TOKENS).status_code == 401
    assert api.get(ME).status_code == 401


def test_revoked_token_is_refused(api, alice, password):
    body = create_token(api, alice, password)
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")

    assert api.delete(f"{TOKENS}{body['id']}/").status_code == 204
    response = api.get(ME)

    assert response.status_code == 401
    assert not ApiToken.objects.filter(id=body["id"]).exists()


def test_other_user_gets_404_revoking_a_token(api, alice, bob, password):
    alices = create_token(api, alice, password)
    api.force_authenticate(bob)

    response = api.delete(f"{TOKENS}{alices['id']}/")

    assert response.status_code == 404
    assert ApiToken.objects.filter(id=alices["id"], user=alice).exists()
    assert api.get(TOKENS).json()["results"] == []


def test_expired_token_is_refused_saying_so_each_time(api, alice, password):
    body = create_token(api, alice, password, expires_in=3600)
    ApiToken.objects.filter(id=body["id"]).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")

    for _ in range(2):
        response = api.get(ME)
        assert response.status_code == 401
        assert response.json()["message"].startswith("This token expired at ")
        assert "create a new one" in response.json()["message"]


def test_an_expired_prefix_with_a_wrong_secret_is_just_invalid(api, alice, password):
    body = create_token(api, alice, password, expires_in=3600)
    ApiToken.objects.filter(id=body["id"]).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    forged = body["token"][:-4] + ("0000" if not body["token"].endswith("0000") else "1111")
    api.credentials(HTTP_AUTHORIZATION=f"Token {forged}")

    assert api.get(ME).json()["message"] == "Invalid token."


@pytest.mark.parametrize(
    ("extra", "lifetime"),
    [
        ({"expires_in": 60}, datetime.timedelta(seconds=60)),
        ({"expires_in": "3600"}, datetime.timedelta(hours=1)),
        ({"expires_in": 315_360_000}, datetime.timedelta(days=3650)),
        ({"expires_in_days": 30}, datetime.timedelta(days=30)),
        ({"expires_in": None}, None),
        ({}, None),
    ],
)
def test_expiry_in_seconds_or_days_is_shown_in_the_list(api, alice, password, extra, lifetime):
    before = timezone.now()
    body = create_token(api, alice, password, **extra)

    api.force_authenticate(alice)
    [listed] = api.get(TOKENS).json()["results"]
    assert listed["expiry"] == body["expiry"]
    if lifetime is None:
        assert listed["expiry"] is None
    else:
        expiry = datetime.datetime.fromisoformat(listed["expiry"])
        assert before + lifetime <= expiry <= timezone.now() + lifetime


def test_a_token_works_until_it_expires(api, alice, password):
    body = create_token(api, alice, password, expires_in=60)
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get(ME).status_code == 200

    ApiToken.objects.filter(id=body["id"]).update(expiry=timezone.now())

    assert api.get(ME).status_code == 401


def test_garbage_tokens_are_refused(api, alice, password):
    create_token(api, alice, password)
    for header in ("Token", "Token a b", "Bearer tn_nonsense", "Token \u00e9\u00e9\u00e9"):
        api.credentials(HTTP_AUTHORIZATION=header)
        assert api.get(ME).status_code == 401, header


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 3651}, "expires_in_days"),
        ({"expires_in": 59}, "expires_in"),
        ({"expires_in": 0}, "expires_in"),
        ({"expires_in": -60}, "expires_in"),
        ({"expires_in": 315_360_001}, "expires_in"),
        ({"expires_in": 10**40}, "expires_in"),
        ({"expires_in": 90.5}, "expires_in"),
        ({"expires_in": "an hour"}, "expires_in"),
        ({"expires_in": "1e3"}, "expires_in"),
        ({"expires_in": True}, "expires_in"),
        ({"expires_in": [60]}, "expires_in"),
        ({"expires_in": {"seconds": 60}}, "expires_in"),
        ({"expires_in": 60, "expires_in_days": 1}, "expires_in"),
    ],
)
def test_bad_expiry_is_refused_naming_the_field(api, alice, password, extra, field):
    response = api.post(TOKENS, {"email": alice.email, "password": password, **extra})

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert response.json()["message"].startswith(f"{field}:")
    assert not ApiToken.objects.exists()


def test_an_unverified_address_gets_no_token_by_password(api, password):
    carol = UserFactory(email="carol@example.com", email_verified=False)

    response = api.post(TOKENS, {"email": carol.email, "password": password, "name": "x"})

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden"
    assert "follow the link we mailed to carol@example.com" in body["errors"]["email"][0]
    assert not ApiToken.objects.exists()


def test_an_unverified_address_gets_no_token_from_a_session(client, db):
    carol = UserFactory(email="carol@example.com", email_verified=False)
    client.force_login(carol)

    response = client.post(TOKENS, {"name": "from the site"}, content_type="application/json")

    assert response.status_code == 403
    assert "email" in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_an_account_without_any_address_row_gets_no_token(api, password):
    # As made by createsuperuser or the admin: nobody verified the address.
    dave = User.objects.create_user("dave@example.com", password)

    response = api.post(TOKENS, {"email": dave.email, "password": password})

    assert response.status_code == 403
    assert "email" in response.json()["errors"]


def test_a_wrong_password_for_an_unverified_address_is_still_a_wrong_password(api, db):
    carol = UserFactory(email="carol@example.com", email_verified=False)

    response = api.post(TOKENS, {"email": carol.email, "password": "not the password at all"})

    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_expired_tokens_leave_the_list_and_a_request_costs_one_token_query(api, alice, password):
    live = create_token(api, alice, password, expires_in_days=30)
    gone = create_token(api, alice, password, expires_in=60)
    ApiToken.objects.filter(id=gone["id"]).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {live['token']}")
    assert [token["id"] for token in api.get(TOKENS).json()["results"]] == [live["id"]]

    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/accounts/me/").status_code == 200
    token_queries = [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]
    assert len(token_queries) == 1, "the token, its user and plan in one query"
