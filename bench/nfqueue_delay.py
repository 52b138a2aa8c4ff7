"""Hold every packet of an NFQUEUE for a fixed time, then let it go: the
latency of a slow link, made in userspace because this kernel has no netem.

    ip netns exec NS python -m bench.nfqueue_delay --queue 7 --delay 0.2

iptables sends the packets here (`-j NFQUEUE --queue-num 7 --queue-bypass`);
this process speaks the nfnetlink_queue protocol directly (a few structs,
no C library to build): it binds the queue, reads each packet's id (the
packet itself stays in the kernel) and accepts it `--delay` seconds
later. Ids come in order and the delay is constant, so the packets leave
in the order they came. Stopped (SIGTERM), it unbinds, and `--queue-bypass`
lets the traffic through undelayed."""

import argparse
import collections
import select
import signal
import socket
import struct
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND, NFQNL_CFG_CMD_UNBIND = 1, 2
NFQNL_COPY_META = 1
NF_ACCEPT = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, sequence, port
QUEUE_LENGTH = 20_000  # packets held at once: 200 ms of a busy link and more


def attribute(kind: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def message(kind: int, queue: int, attributes: bytes, flags: int = NLM_F_REQUEST) -> bytes:
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + attributes
    return HEADER.pack(HEADER.size + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def configure(sock: socket.socket, queue: int, *attributes: bytes) -> None:
    """Send a config message and raise if the kernel refuses it."""
    sock.send(message(NFQNL_MSG_CONFIG, queue, b"".join(attributes), NLM_F_REQUEST | NLM_F_ACK))
    reply = sock.recv(65536)
    _, kind, _, _, _ = HEADER.unpack_from(reply)
    error = struct.unpack_from("=i", reply, HEADER.size)[0] if kind == NLMSG_ERROR else 0
    if error:
        raise OSError(-error, f"nfnetlink_queue refused the configuration of queue {queue}")


def command(kind: int) -> bytes:
    return attribute(NFQA_CFG_CMD, struct.pack("!BxH", kind, 0))


def bind(queue: int) -> socket.socket:
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, 33, 16 * 1024 * 1024)  # SO_RCVBUFFORCE: root may pass rmem_max
    sock.bind((0, 0))
    configure(sock, queue, command(NFQNL_CFG_CMD_BIND))
    configure(sock, queue, attribute(NFQA_CFG_PARAMS, struct.pack("!IBxxx", 0, NFQNL_COPY_META)))
    configure(sock, queue, attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", QUEUE_LENGTH)))
    return sock


def packet_ids(data: bytes) -> list[int]:
    """The ids of the queued packets in one read (several messages may come at once)."""
    ids, offset = [], 0
    while offset + HEADER.size <= len(data):
        length, kind, _, _, _ = HEADER.unpack_from(data, offset)
        if length < HEADER.size:
            break
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            ids += attribute_ids(data[offset + HEADER.size + 4 : offset + length])
        offset += (length + 3) & ~3
    return ids


def attribute_ids(attributes: bytes) -> list[int]:
    offset = 0
    while offset + 4 <= len(attributes):
        length, kind = struct.unpack_from("=HH", attributes, offset)
        if length < 4:
            break
        if kind & 0x7FFF == NFQA_PACKET_HDR:
            return [struct.unpack_from("!I", attributes, offset + 4)[0]]
        offset += (length + 3) & ~3
    return []


def accept(sock: socket.socket, queue: int, packet_id: int) -> None:
    verdict = attribute(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))
    sock.send(message(NFQNL_MSG_VERDICT, queue, verdict))


def hold(queue: int, delay: float) -> None:
    sock = bind(queue)
    held: collections.deque[tuple[float, int]] = collections.deque()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while not stopping:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else 0.5
        if select.select([sock], [], [], timeout)[0]:
            try:
                data = sock.recv(262144)
            except OSError:  # ENOBUFS: the kernel dropped some; they count as loss
                continue
            due = time.monotonic() + delay
            held.extend((due, packet_id) for packet_id in packet_ids(data))
        while held and held[0][0] <= time.monotonic():
            accept(sock, queue, held.popleft()[1])
    for _, packet_id in held:
        accept(sock, queue, packet_id)
    sock.send(message(NFQNL_MSG_CONFIG, queue, command(NFQNL_CFG_CMD_UNBIND)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queue", type=int, required=True)
    parser.add_argument("--delay", type=float, required=True, help="seconds each packet is held")
    options = parser.parse_args()
    hold(options.queue, options.delay)


if __name__ == "__main__":
    main()
