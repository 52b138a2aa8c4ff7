"""Celery's Redis transport, with acks that survive a lost connection.

Over Redis an ack is a command like any other (remove the message from the
"unacked" hash), sent by the worker's main process, which also runs the
event loop. With no socket timeout, an ack sent into a silent partition
waits on TCP's retransmissions: the whole worker stands still for the
partition and some 50 s after it (the cross-host drill measured this). So
the settings give broker sockets a timeout. But kombu's Redis QoS frees a
message's prefetch slot only after the ack's command succeeded: a failed
ack keeps the slot, and once every slot is held by a failed ack the worker
never asks for a message again, so it never notices its dead connection
either, and stays idle for good.

Here the slot is freed whatever the broker answered, and the ack's command
is kept and sent again, with the next ack that goes through (whichever
channel sends it: they all share the one "unacked" hash). An ack still
unsent when the worker stops is not lost work: the message comes back after
the visibility timeout and runs again, and a job's run is idempotent (its
lease, `rendering.jobs.lease`), so the repeat does nothing.
"""

from typing import ClassVar

from kombu.transport import redis
from kombu.transport.virtual import base


class QoS(redis.QoS):
    # The tags whose removal from the "unacked" hash has not reached Redis.
    unsent_acks: ClassVar[set[str]] = set()

    def ack(self, delivery_tag: str) -> None:
        try:
            self.unsent_acks.add(delivery_tag)
            with self.pipe_or_acquire() as pipe:
                tags = list(self.unsent_acks)
                for tag in tags:
                    self._remove_from_indices(tag, pipe)
                pipe.execute()
            self.unsent_acks.difference_update(tags)
        finally:
            base.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        if not requeue:
            self.ack(delivery_tag)
            return
        try:
            self.restore_by_tag(delivery_tag, leftmost=True)
        finally:
            base.QoS.ack(self, delivery_tag)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
