"""Shared fixtures. Services (PostgreSQL, Redis, a worker) are real: tests
marked `services` skip when one is missing on a laptop, and fail in CI."""

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, what: str) -> None:
    """Skip on a laptop without the service; in CI its absence is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not configured")
    pytest.skip(f"{what} not configured")


@pytest.fixture(autouse=True)
def _media_in_temp_folder(settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def alice(db) -> User:
    return UserFactory(email="alice@example.com")


@pytest.fixture
def bob(db) -> User:
    return UserFactory(email="bob@example.com")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def as_alice(api: APIClient, alice: User) -> APIClient:
    api.force_authenticate(alice)
    return api


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require_service(bool(url), "REDIS_URL (Redis)")
    return url
