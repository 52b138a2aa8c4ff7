"""Shared fixtures. Services (PostgreSQL, Redis, a worker) are real: tests
marked `services` skip when one is missing on a laptop, and fail in CI."""

import os
import signal
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from tests.brokers import delete_queue, sending_over
from tests.factories import PASSWORD, UserFactory
from tests.workers import Worker

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
def _fresh_cache(settings) -> None:
    # Rate-limit counters live in the cache and in Redis; each test starts
    # with none (its own key prefix in Redis).
    cache.clear()
    settings.RATE_LIMIT_PREFIX = f"tn:rl:test:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _no_export_dedupe(settings) -> None:
    # Tests make the same export again and mean a new job each time (slots,
    # quotas, workers); tests/rendering/test_jobs_dedupe.py turns it on.
    settings.JOB_DEDUPE_SECONDS = 0


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


@pytest.fixture
def amqp_url() -> str:
    url = os.environ.get("AMQP_URL", "")
    require_service(bool(url), "AMQP_URL (RabbitMQ)")
    return url


@pytest.fixture
def broker() -> str:
    """The broker `cluster` starts its workers over: Redis unless a test is
    parametrized with tests.brokers.BOTH_BROKERS."""
    return "redis"


@pytest.fixture
def broker_url(request, broker: str) -> str:
    return str(request.getfixturevalue(f"{broker}_url"))


@pytest.fixture
def cluster(tmp_path, settings, redis_url, broker_url) -> Iterator[Callable[..., Worker]]:
    """Start workers that share the test database, the media folder, the
    broker this process sends over and a queue of their own; all are
    stopped and the queue deleted at the end."""
    require_service(connection.vendor == "postgresql", "DATABASE_URL (PostgreSQL)")
    queue = f"test-jobs-{uuid.uuid4().hex[:10]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker_url,
        "DATA_DIR": str(tmp_path),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "JOB_STALE_AFTER": "3",
        "JOB_REQUEUE_AFTER": "3",
        "JOB_RECONCILE_EVERY": "1",
    }
    started: list[Worker] = []
    log = tmp_path / "workers.log"

    def start(**extra: str) -> Worker:
        worker = Worker({**env, **extra}, log)
        started.append(worker)
        return worker

    with sending_over(broker_url):
        yield start
        for worker in started:
            worker.stop(signal.SIGKILL)
    for name in (queue, queue + settings.FAST_QUEUE_SUFFIX):
        delete_queue(broker_url, name)
    print(log.read_text() if log.exists() else "")


# Tests against services beyond PostgreSQL and Redis, counted at the end of
# the run so a CI log shows they ran rather than skipped.
SERVICE_TESTS = {
    "over RabbitMQ": lambda nodeid: "[amqp" in nodeid,
    "against an S3 server": lambda nodeid: nodeid.startswith("tests/storage/"),
    "across network namespaces": lambda nodeid: "crosshost" in nodeid,
}


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    outcomes = {
        outcome: [report.nodeid for report in terminalreporter.stats.get(outcome, [])]
        for outcome in ("passed", "failed", "skipped", "xfailed")
    }
    lines = []
    for label, belongs in SERVICE_TESTS.items():
        counts = {outcome: sum(map(belongs, ids)) for outcome, ids in outcomes.items()}
        if any(counts.values()):
            lines.append(f"{label}: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n))
    if lines:
        terminalreporter.write_sep("-", "service tests")
        for line in lines:
            terminalreporter.write_line(line)
