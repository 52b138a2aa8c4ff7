"""Abuse limits: counted against the client's real address (never a header
the client wrote), in Redis, for every way of signing in and signing up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.throttles import Rate, TrustedProxies, counter_for, over

WRONG = "not the password at all"


@pytest.fixture(autouse=True)
def _redis_counts(redis_url, settings):
    settings.RATE_LIMIT_REDIS_URL = redis_url


def token_attempt(api, email, password, forwarded_for):
    return api.post(
        "/api/v1/accounts/tokens/",
        {"email": email, "password": password},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_login_limit(api, alice, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token-ip": "1000/m"}
    statuses = [token_attempt(api, alice.email, WRONG, f"203.0.113.{n}").status_code for n in range(8)]

    assert statuses[:5] == [400] * 5
    assert statuses[5:] == [429] * 3
    right = token_attempt(api, alice.email, password, "198.51.100.7")
    assert right.status_code == 429
    assert "token" not in right.json()
    assert 1 <= int(right["Retry-After"]) <= 15 * 60
    assert right.json()["code"] == "throttled"


@pytest.mark.django_db
def test_the_lock_is_per_account_and_address_first(api, alice, bob, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token-ip": "1000/m"}
    for _ in range(5):
        token_attempt(api, alice.email, WRONG, "")

    # Alice from elsewhere, and Bob from the same address, still get in.
    elsewhere = api.post(
        "/api/v1/accounts/tokens/", {"email": alice.email, "password": password}, REMOTE_ADDR="192.0.2.50"
    )
    assert elsewhere.status_code == 201
    assert token_attempt(api, bob.email, password, "").status_code == 201


@pytest.mark.django_db
def test_too_many_failures_on_one_account_lock_it_from_every_address(api, alice, password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-account": "6/h", "token-ip": "1000/m"}
    for n in range(6):
        api.post(
            "/api/v1/accounts/tokens/",
            {"email": alice.email, "password": WRONG},
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )

    answer = api.post(
        "/api/v1/accounts/tokens/", {"email": alice.email, "password": password}, REMOTE_ADDR="192.0.2.99"
    )
    assert answer.status_code == 429


@pytest.mark.django_db
def test_admin_login_is_locked_after_failures(client, alice, password):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    for n in range(5):
        answer = client.post(
            "/admin/login/", {"username": alice.email, "password": WRONG}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
        assert answer.status_code == 200

    answer = client.post("/admin/login/", {"username": alice.email, "password": password})

    assert answer.status_code == 429
    assert "Retry-After" in answer
    assert b"Too many failed sign-ins" in answer.content
    assert client.get("/admin/").status_code == 302  # still signed out


@pytest.mark.django_db
def test_website_login_is_locked_after_failures(client, alice, password):
    for _ in range(5):
        client.post("/accounts/login/", {"login": alice.email, "password": WRONG})

    answer = client.post("/accounts/login/", {"login": alice.email, "password": password})

    assert answer.status_code == 429
    assert b"Too many failed sign-ins" in answer.content
    assert b"Reset it by email" in answer.content
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_api_sign_ups_are_limited_per_address_whatever_the_header(api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup-ip": "3/h"}
    statuses = [
        api.post(
            "/api/v1/accounts/signup/",
            {"email": f"new{n}@example.com", "password": "a long and unusual passphrase"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(5)
    ]

    assert statuses[3:] == [429, 429]
    assert all(status < 300 for status in statuses[:3])


@pytest.mark.django_db
def test_website_sign_ups_share_the_limit(client, api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup-ip": "2/h"}
    for n in range(2):
        api.post(
            "/api/v1/accounts/signup/",
            {"email": f"api{n}@example.com", "password": "a long and unusual passphrase"},
        )

    answer = client.post(
        "/accounts/signup/", {"email": "web@example.com", "password1": "a long and unusual passphrase"}
    )

    assert answer.status_code == 429
    assert "Retry-After" in answer


@pytest.mark.django_db
def test_token_attempts_are_limited_per_address(api, alice, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token-ip": "3/m"}
    statuses = [
        api.post(
            "/api/v1/accounts/tokens/", {"email": f"nobody{n}@example.com", "password": WRONG}
        ).status_code
        for n in range(4)
    ]

    assert statuses == [400, 400, 400, 429]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_its_header_names_the_client(api, alice, settings):
    settings.TRUSTED_PROXIES = "1"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token-ip": "2/m"}
    # Middleware reads the setting when the handler is built: a new client.
    from rest_framework.test import APIClient

    proxied = APIClient()
    first = [proxied.post(
        "/api/v1/accounts/tokens/", {"email": alice.email, "password": WRONG},
        HTTP_X_FORWARDED_FOR=f"spoofed, 198.51.100.{n % 2}"
    ).status_code for n in range(4)]  # fmt: skip

    assert first == [400, 400, 400, 400]  # two clients, two each
    assert proxied.post(
        "/api/v1/accounts/tokens/", {"email": alice.email, "password": WRONG},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    ).status_code == 429  # fmt: skip


@pytest.mark.parametrize(
    ("setting", "remote", "forwarded", "client"),
    [
        ("", "192.0.2.1", "203.0.113.9", "192.0.2.1"),
        ("1", "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        ("1", "10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        ("2", "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        ("2", "10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.0/8", "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.1.2.3", "203.0.113.9"),
        ("10.0.0.0/8", "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # not from our proxy: header ignored
        ("10.0.0.0/8", "10.0.0.2", "garbage, 10.1.1.1", "10.1.1.1"),
        ("10.0.0.0/8,fd00::/8", "fd00::1", "[2001:db8::5]:443", "2001:db8::5"),
        ("", "::ffff:192.0.2.4", "", "192.0.2.4"),
    ],
)
def test_the_client_address_from_the_chain(setting, remote, forwarded, client):
    assert TrustedProxies.parse(setting).client(remote, forwarded) == client


@pytest.mark.parametrize("text", ["x", "10.0.0.0/33", "1, 2"])
def test_a_wrong_proxy_setting_is_refused(text):
    with pytest.raises(ImproperlyConfigured):
        TrustedProxies.parse(text)


@pytest.mark.parametrize(
    ("text", "rate"), [("10/m", Rate(10, 60)), ("5/15m", Rate(5, 900)), ("2/hour", Rate(2, 3600))]
)
def test_rates(text, rate):
    assert Rate.parse(text) == rate


def test_one_round_trip_counts_and_expires(redis_url, settings):
    counter = counter_for(redis_url)
    counts = [counter.count("tn:rl:test:window", 2, hit=True) for _ in range(3)]
    counter.client.delete("tn:rl:test:window")

    assert [count.hits for count in counts] == [1, 2, 3]
    assert all(0 < count.resets_in <= 2 for count in counts)


def test_limits_fail_open_when_redis_is_unreachable(settings):
    settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:1/0"
    assert over("token-ip", "192.0.2.1", hit=True) == 0.0
