"""The Redis broker through a link that can go silent (packets swallowed,
no reset: a partition as a worker meets it). An ack sent into the silence
fails after the socket timeout, yet the worker's slot is free for the next
message, and the ack reaches Redis once the link is back."""

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from kombu import Connection, Consumer, Exchange, Producer, Queue

pytestmark = pytest.mark.services


class SilentLink:
    """A TCP forwarder to `target` that can swallow everything both ways
    while keeping its connections open."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.silent = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.target)
                self.sockets += [client, server]
                for source, sink in ((client, server), (server, client)):
                    threading.Thread(target=self.forward, args=(source, sink), daemon=True).start()

    def forward(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not self.silent.is_set():
                    sink.sendall(data)

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()


@pytest.fixture
def link(redis_url) -> Iterator[SilentLink]:
    parts = urlsplit(redis_url)
    forwarder = SilentLink((parts.hostname or "127.0.0.1", parts.port or 6379))
    yield forwarder
    forwarder.close()


def through(redis_url: str, link: SilentLink) -> str:
    parts = urlsplit(redis_url)
    netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{link.port}"))


def test_an_ack_lost_to_a_silent_link_frees_the_slot_and_reaches_redis_later(redis_url, link, settings):
    name = f"test-silent-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    direct = redis.Redis.from_url(redis_url)
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "socket_timeout": 0.5}
    with Connection(
        through(redis_url, link), transport=settings.CELERY_BROKER_TRANSPORT, transport_options=options
    ) as connection:
        channel = connection.channel()
        Producer(channel).publish({"n": 1}, exchange=queue.exchange, routing_key=name, declare=[queue])
        Producer(channel).publish({"n": 2}, exchange=queue.exchange, routing_key=name)
        received = []
        consumer = Consumer(channel, [queue], callbacks=[lambda _body, message: received.append(message)])
        consumer.qos(prefetch_count=1)
        with consumer:
            connection.drain_events(timeout=5)
            [first] = received
            assert not channel.qos.can_consume()  # one slot, taken
            assert direct.hlen("unacked") >= 1

            link.silent.set()
            with pytest.raises(connection.connection_errors):
                first.ack()

            # The worker may take its next message; Redis still lists the first.
            assert channel.qos.can_consume()
            assert direct.hexists("unacked", first.delivery_tag)

            link.silent.clear()
            connection.drain_events(timeout=5)
            second = received[1]
            second.ack()

        assert not direct.hexists("unacked", first.delivery_tag)
        assert not direct.hexists("unacked", second.delivery_tag)
        assert [message.payload["n"] for message in received] == [1, 2]
    direct.delete(name)
