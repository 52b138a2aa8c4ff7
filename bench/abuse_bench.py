"""Abuse limits benchmark: prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/abuse_bench.py

1. What one limit check costs: the Lua INCR+PEXPIRE round trip to Redis,
   timed over many calls (p50, p99).
2. The attack that used to work, replayed in-process through the whole
   middleware stack against PostgreSQL: 40 wrong passwords for one account
   on the token endpoint, each with a new X-Forwarded-For, then the right
   password; and 40 sign-ups with rotating headers. How many got an answer
   other than 429, and whether the right password got a token.
"""

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings", RATE_LIMIT_PREFIX=f"tn:rl:bench:{uuid.uuid4().hex}:"
)
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")

import django

django.setup()

from django.conf import settings
from django.test import Client, override_settings

from accounts.models import User
from accounts.services import email_verify
from accounts.throttles import RedisCounter, counter_for

PASSWORD = "a long and unusual passphrase"  # noqa: S105 - the bench account's, thrown away after


def check_cost(calls: int = 5000) -> None:
    counter = counter_for(settings.RATE_LIMIT_REDIS_URL)
    if not isinstance(counter, RedisCounter):
        sys.exit("RATE_LIMIT_REDIS_URL is not set: the limits would be counted in the cache.")
    key = f"{settings.RATE_LIMIT_PREFIX}cost"
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        counter.count(key, 60, hit=True)
        times.append((time.perf_counter() - started) * 1000)
    counter.client.delete(key)
    times.sort()
    print(
        f"limit check (one Redis round trip): p50 {statistics.median(times):.3f} ms, "
        f"p99 {times[int(len(times) * 0.99)]:.3f} ms over {calls:,} calls"
    )


@override_settings(
    ALLOWED_HOSTS=["testserver"],
    MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
)
def replay() -> None:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = User.objects.create_user(email=email, password=PASSWORD)
    email_verify(user=user)  # so the right password would get a token, were it not locked
    try:
        client = Client()
        answers = []
        for n in range(40):
            response = client.post(
                "/api/v1/accounts/tokens/",
                {"email": email, "password": f"guess {n}"},
                content_type="application/json",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            )
            answers.append(response.status_code)
        right = client.post(
            "/api/v1/accounts/tokens/",
            {"email": email, "password": PASSWORD},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
        print(
            f"40 wrong passwords with rotating X-Forwarded-For: {sum(a != 429 for a in answers)} answered, "
            f"{answers.count(429)} refused with 429; then the right password: {right.status_code} "
            f"(Retry-After {right.get('Retry-After')} s)"
        )
        signups = [
            client.post(
                "/api/v1/accounts/signup/",
                {"email": f"bench-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD},
                content_type="application/json",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            ).status_code
            for n in range(40)
        ]
        print(
            f"40 sign-ups with rotating X-Forwarded-For: {sum(s < 300 for s in signups)} accepted, "
            f"{signups.count(429)} refused with 429"
        )
    finally:
        User.objects.filter(email__startswith="bench-").delete()
        user.delete()


if __name__ == "__main__":
    check_cost()
    replay()
