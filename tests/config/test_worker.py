"""A real Celery worker, started as its own process, runs a task end to end:
over Redis when REDIS_URL is set (always in CI), over RabbitMQ when AMQP_URL
is set (always in CI), and over the embedded filesystem broker that needs no
server."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.brokers import delete_queue, queue_exists
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def embedded_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DATABASE_URL"}
    }
    env["DATA_DIR"] = str(data_dir)
    return env


def start_worker(env: dict[str, str], queue: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "info",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def ping_through(env: dict[str, str], queue: str) -> Iterator[subprocess.CompletedProcess[str]]:
    worker = start_worker(env, queue)
    try:
        yield subprocess.run(
            [sys.executable, "manage.py", "worker_ping", "--queue", queue, "--timeout", "60"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        if worker.stdout:
            print(worker.stdout.read())


def test_worker_runs_a_task_over_the_embedded_broker(tmp_path, queue):
    for result in ping_through(embedded_env(tmp_path), queue):
        assert result.returncode == 0, result.stdout + result.stderr
        assert "pong" in result.stdout
    assert (tmp_path / "broker" / "queue").is_dir()


def test_worker_runs_a_task_over_redis(tmp_path, queue):
    redis_url = os.environ.get("REDIS_URL", "")
    require_service(bool(redis_url), "REDIS_URL (Redis)")
    env = embedded_env(tmp_path) | {"REDIS_URL": redis_url}

    for result in ping_through(env, queue):
        assert result.returncode == 0, result.stdout + result.stderr
        assert "pong" in result.stdout


def test_worker_runs_a_task_over_rabbitmq_from_a_quorum_queue(tmp_path, queue, amqp_url):
    # The queue is the default one, as in a deployment: Celery binds the
    # default queue to its delayed delivery exchanges at start.
    env = embedded_env(tmp_path) | {"CELERY_BROKER_URL": amqp_url, "CELERY_TASK_DEFAULT_QUEUE": queue}

    try:
        for result in ping_through(env, queue):
            assert result.returncode == 0, result.stdout + result.stderr
            assert "pong" in result.stdout
    finally:
        declared = queue_exists(amqp_url, queue, quorum=True)
        delete_queue(amqp_url, queue)
    assert declared, "the queue is a quorum queue"
    assert not queue_exists(amqp_url, queue)


def test_ping_fails_clearly_when_no_worker_listens(tmp_path, queue):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "worker_ping", "--queue", queue, "--timeout", "2"],
        cwd=ROOT,
        env=embedded_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "No worker answered" in result.stderr
    assert time.monotonic() - started < 30
