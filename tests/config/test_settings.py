"""Settings come from the environment; production refuses to start half-set
and passes Django's deployment checks."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "DATABASE_URL",
            "CACHE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DATA_DIR",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://tn:secret@db.internal:5432/threadnav",
        REDIS_URL="redis://cache.internal:6379/0",
        ALLOWED_HOSTS="threadnavigator.example",
        AWS_STORAGE_BUCKET_NAME="tn-media",
        AWS_S3_ENDPOINT_URL="https://s3.example",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example:587",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_refuses_to_start_without(missing):
    env = production_env()
    del env[missing]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_refuses_debug():
    result = manage("check", env=production_env(DEBUG="true"))

    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_settings_are_secure_and_use_the_services():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
        " s.CELERY_BROKER_URL, s.STORAGES['default']['BACKEND'])"
    )
    result = manage("shell", "--no-imports", "-c", code, env=production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.internal:6379/0",
        "storages.backends.s3.S3Storage",
    ]


def test_defaults_need_no_servers(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "APP_ENV"}
    }
    env["DATA_DIR"] = str(tmp_path)
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL,"
        " s.STORAGES['default']['BACKEND'])"
    )
    result = manage("shell", "--no-imports", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.sqlite3",
        "filesystem://localhost/",
        "django.core.files.storage.FileSystemStorage",
    ]


def test_malformed_database_url_fails_loudly(tmp_path):
    env = production_env(DATABASE_URL="nonsense://")

    result = manage("check", env=env)

    assert result.returncode != 0


@pytest.mark.django_db
def test_ci_runs_against_postgresql():
    require_service(connection.vendor == "postgresql", "DATABASE_URL (PostgreSQL)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_production_responses_carry_the_security_headers():
    code = (
        "from django.test import Client;"
        "r = Client().get('/api/v1/nothing-here', secure=True, HTTP_HOST='threadnavigator.example');"
        "import json; print(json.dumps(dict(r.headers)))"
    )
    result = manage("shell", "--no-imports", "-c", code, env=production_env())

    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
