"""Passwords that are only spaces, one character or a short sequence
repeated, or the site's name are refused wherever a password is chosen."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from accounts.passwords import BlankPasswordValidator, RepeatedPatternValidator, smallest_period
from tests.accounts.mailbox import RESET, only_link

NBSP = "\u00a0"
WEAK = {
    "ten spaces": " " * 10,
    "ten no-break spaces": NBSP * 10,
    "mixed white space": " \t\u2003\u3000\u202f" * 3,
    "zero-width spaces": "\u200b" * 12,
    "one letter repeated": "z" * 12,
    "two letters repeated": "ab" * 6,
    "a word said twice": "Password1Password1",
    "case does not hide it": "aBcAbC" * 3,
    "the site's name": "Thread Navigator 2026!",
}
GOOD = [
    "purple mountain seventeen",
    "correct horse battery staple correct horse battery staple",
    "z" + "y" * 11,
]


@pytest.mark.parametrize("password", WEAK.values(), ids=WEAK.keys())
def test_weak_passwords_are_refused_with_a_reason(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert password.strip() not in " ".join(refused.value.messages) or not password.strip()


@pytest.mark.parametrize("password", GOOD)
def test_good_passwords_pass(password):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 10, "only spaces or invisible characters"),
        ("z" * 12, "one character repeated"),
        ("ab" * 6, "a short sequence repeated"),
        ("Thread Navigator", "the name of this site"),
    ],
)
def test_each_refusal_says_what_is_wrong(password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert any(message in text for text in refused.value.messages)


@given(st.text(st.characters(categories=["Zs", "Cc", "Cf"]), min_size=1))
def test_any_mix_of_white_space_and_invisible_characters_is_blank(password):
    with pytest.raises(ValidationError):
        BlankPasswordValidator().validate(password)


# Units whose case folding keeps their length (ß folds to ss: a unit of nine
# such characters may fold to ten, which may repeat).
SHORT_UNITS = st.text(min_size=1, max_size=9).filter(lambda unit: len(unit.casefold()) == len(unit))


@given(unit=SHORT_UNITS, repeats=st.integers(2, 8), tail=st.integers(0, 8))
def test_a_short_unit_said_at_least_twice_is_refused(unit, repeats, tail):
    password = unit * repeats + unit[: tail % len(unit)]

    with pytest.raises(ValidationError):
        RepeatedPatternValidator().validate(password)


@given(st.text(min_size=1, max_size=40))
def test_the_period_spells_the_text(text):
    period = smallest_period(text)

    assert 1 <= period <= len(text)
    assert all(text[index] == text[index % period] for index in range(len(text)))


SIGNUP = "/api/v1/accounts/signup/"
CHANGE = "/accounts/password/change/"


@pytest.mark.django_db
@pytest.mark.parametrize("password", WEAK.values(), ids=WEAK.keys())
def test_the_api_sign_up_refuses_them_naming_the_field(api, password):
    response = api.post(SIGNUP, {"email": "weak@example.com", "password": password})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["password"]
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("password", [" " * 10, NBSP * 10, "z" * 12, "ab" * 6])
def test_the_website_sign_up_refuses_them(client, password):
    response = client.post("/accounts/signup/", {"email": "weak@example.com", "password1": password})

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("password", [" " * 10, NBSP * 10, "z" * 12, "ab" * 6])
def test_a_password_change_refuses_them(client, alice, password):
    client.force_login(alice)

    response = client.post(
        CHANGE, {"oldpassword": "a long and unusual passphrase", "password1": password, "password2": password}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    alice.refresh_from_db()
    assert not alice.check_password(password)


@pytest.mark.django_db
@pytest.mark.parametrize("password", [" " * 10, NBSP * 10, "z" * 12, "ab" * 6])
def test_a_reset_refuses_them(client, alice, password):
    client.post("/accounts/password/reset/", {"email": alice.email})
    form = client.get(only_link(alice.email, RESET), follow=True)

    response = client.post(form.redirect_chain[-1][0], {"password1": password, "password2": password})

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    alice.refresh_from_db()
    assert not alice.check_password(password)
