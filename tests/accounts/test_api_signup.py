import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = "/api/v1/accounts/signup/"
GOOD_PASSWORD = "purple mountain seventeen"


def test_signup_creates_a_free_account(api):
    response = api.post(SIGNUP, {"email": "New.Person@Example.COM", "password": GOOD_PASSWORD})

    assert response.status_code == 201
    assert response.json()["email"] == "new.person@example.com"
    assert response.json()["plan"]["code"] == "free"
    user = User.objects.get()
    assert user.email == "new.person@example.com"
    assert user.check_password(GOOD_PASSWORD)
    assert "password" not in response.json()


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@example.com", " Alice@Example.Com "])
def test_duplicate_email_in_any_case_is_refused(api, alice, email):
    response = api.post(SIGNUP, {"email": email, "password": GOOD_PASSWORD})

    assert response.status_code == 400
    body = response.json()
    assert "email" in body["errors"]
    assert body["message"].startswith("email:")
    assert User.objects.count() == 1


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
