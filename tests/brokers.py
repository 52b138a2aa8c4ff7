"""The brokers the worker tests run over: Redis (the default when REDIS_URL
is set) and RabbitMQ. The test process sends over the same broker as the
workers it starts, with the Celery settings such a process reads."""

import os
import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
import redis
from kombu import Connection, pools

from config.celery import app as celery_app

SETTINGS = Path(__file__).resolve().parents[1] / "config" / "settings.py"

# Chosen tests run once per broker; the others use the default fixture (Redis).
BOTH_BROKERS = pytest.mark.parametrize("broker", ["redis", "amqp"])


def celery_settings_for(broker_url: str) -> dict[str, object]:
    """The Celery configuration a process started with CELERY_BROKER_URL set
    to `broker_url` reads from config/settings.py."""
    with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": broker_url}):
        module = runpy.run_path(str(SETTINGS))
    return {
        name.removeprefix("CELERY_").lower(): value
        for name, value in module.items()
        if name.startswith("CELERY_")
    }


def close_connections() -> None:
    """Drop the pooled broker connections and the queue declarations cached
    with them, so the next send connects with the current configuration."""
    pools.reset()
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@contextmanager
def sending_over(broker_url: str) -> Iterator[None]:
    """This process sends its tasks over `broker_url` until the end."""
    if celery_app.conf.broker_url == broker_url:
        yield
        return
    configuration = celery_settings_for(broker_url)
    before = {key: celery_app.conf[key] for key in configuration}
    close_connections()
    celery_app.conf.update(configuration)
    try:
        yield
    finally:
        close_connections()
        celery_app.conf.update(before)


def delete_queue(broker_url: str, queue: str) -> None:
    """Remove a test's queue: RabbitMQ's quorum queues are durable and its
    exchange outlives them."""
    if broker_url.startswith(("amqp://", "amqps://", "pyamqp://")):
        with Connection(broker_url) as connection:
            channel = connection.default_channel
            channel.queue_delete(queue)
            channel.exchange_delete(queue)
    else:
        redis.Redis.from_url(broker_url).delete(queue)


def queue_exists(broker_url: str, queue: str, quorum: bool = False) -> bool:
    """Whether RabbitMQ holds `queue` (and, with `quorum`, as a quorum queue:
    declaring it so again is refused for a classic one)."""
    with Connection(broker_url) as connection:
        try:
            connection.default_channel.queue_declare(queue, passive=True)
            if quorum:
                arguments = {"x-queue-type": "quorum"}
                connection.default_channel.queue_declare(
                    queue, durable=True, auto_delete=False, arguments=arguments
                )
        except connection.channel_errors:
            return False
    return True


def queued_task_ids(broker_url: str, queue: str) -> list[str]:
    """The ids of the tasks ready in a RabbitMQ queue, left where they are:
    read without an ack, they go back when the connection closes."""
    ids = []
    with Connection(broker_url) as connection:
        channel = connection.default_channel
        while (message := channel.basic_get(queue, no_ack=False)) is not None:
            ids.append(str(message.headers.get("id")))
    return ids
