"""Hosts inside one machine, for the cross-host drill: network namespaces
on a bridge, the services each host runs, and the network faults between
them (iptables in the host's own namespace; root).

`Network` makes a bridge in the root namespace and, for each `host`, a
namespace joined to it by a veth pair. Names carry a random suffix and
the subnet is drawn at random, so two drills (or two test processes) on
one machine never meet; each namespace has its own ports, so services
listen on their usual ones. The root namespace (the drill itself) reaches
every host through the bridge. `close` removes it all, processes first.

Faults, each undone on leaving its `with`:
- `Host.cut(peer, port)`: a silent partition. Packets to and from the
  peer's port are dropped both ways: no RST, no ICMP, so an open TCP
  connection just goes quiet, as behind a failed switch or a NAT that
  forgot it (the case where clients hang).
- `Host.degraded(peer, delay, loss)`: a slow, lossy link. Loss is the
  `statistic` match dropping each packet to or from the peer at random,
  both ways; latency is `bench.nfqueue_delay` holding each outgoing
  packet for `delay` seconds (this kernel has no netem)."""

import contextlib
import ipaddress
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
# The scripts themselves: /usr/sbin's wrappers switch to the machine's node's home and cookie.
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
IPTABLES = "iptables-legacy"  # the NFQUEUE target and the statistic match are built in for it


def missing_tools(broker: str = "redis") -> list[str]:
    """What this machine lacks to run hosts with `broker` (empty when it can)."""
    missing = [] if os.geteuid() == 0 else ["root"]
    tools = ["ip", IPTABLES, "redis-server", "setpriv", str(POSTGRES_BIN / "postgres")]
    if broker == "amqp":
        tools += ["epmd", str(RABBITMQ_BIN / "rabbitmq-server"), str(RABBITMQ_BIN / "rabbitmqctl")]
    return missing + [tool for tool in tools if shutil.which(tool) is None]


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


def listening(address: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((address, port), timeout=0.5):
        return True
    return False


class Host:
    """One namespace on the bridge, with the processes started in it."""

    def __init__(self, network: "Network", role: str, address: str) -> None:
        self.role = role
        self.address = address
        self.namespace = f"tn-{network.suffix}-{role}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.log = network.folder / f"{role}.log"
        self.link = f"tn{network.suffix}h{len(network.hosts)}"  # at most 15 characters
        host_side, inside = self.link, f"{self.link}i"
        run("ip", "netns", "add", self.namespace)
        run("ip", "link", "add", host_side, "type", "veth", "peer", "name", inside)
        run("ip", "link", "set", host_side, "master", network.bridge, "up")
        run("ip", "link", "set", inside, "netns", self.namespace)
        self.run("ip", "addr", "add", f"{address}/24", "dev", inside)
        self.run("ip", "link", "set", inside, "up")
        self.run("ip", "link", "set", "lo", "up")

    def prefix(self) -> list[str]:
        """What runs a command in this host."""
        return ["ip", "netns", "exec", self.namespace]

    def run(self, *command: str) -> None:
        run(*self.prefix(), *command)

    def start(self, *command: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """A long-running process in this host, in a session of its own, logging to the host's log."""
        process = subprocess.Popen(
            [*self.prefix(), *command],
            cwd=ROOT,
            env=env or os.environ.copy(),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            stop(process)

    def iptables(self, action: str, rules: list[list[str]]) -> None:
        for chain, *rule in rules:
            self.run(IPTABLES, "-w", action, chain, *rule)

    @contextlib.contextmanager
    def rules(self, rules: list[list[str]]) -> Iterator[None]:
        self.iptables("-I", rules)
        try:
            yield
        finally:
            self.iptables("-D", rules)

    def cut(self, peer: "Host", port: int) -> contextlib.AbstractContextManager[None]:
        """Drop every packet to and from `peer`'s `port`, silently."""
        return self.rules(
            [
                ["OUTPUT", "-d", peer.address, "-p", "tcp", "--dport", str(port), "-j", "DROP"],
                ["INPUT", "-s", peer.address, "-p", "tcp", "--sport", str(port), "-j", "DROP"],
            ]
        )

    @contextlib.contextmanager
    def degraded(self, peer: "Host", delay: float, loss: float) -> Iterator[None]:
        """Hold each packet to `peer` for `delay` s and drop `loss` of the packets each way."""
        queue = random.randrange(1, 60000)  # noqa: S311 (a queue number, not a secret)
        holder = self.start(sys.executable, "-m", "bench.nfqueue_delay", "--queue", str(queue),
                            "--delay", str(delay))  # fmt: skip
        time.sleep(0.5)  # bound before packets are queued (`--queue-bypass` passes them meanwhile)
        lossy = ["-m", "statistic", "--mode", "random", "--probability", str(loss), "-j", "DROP"]
        rules = [
            ["OUTPUT", "-d", peer.address, *lossy],
            ["INPUT", "-s", peer.address, *lossy],
            ["OUTPUT", "-d", peer.address, "-j", "NFQUEUE", "--queue-num", str(queue), "--queue-bypass"],
        ]
        try:
            with self.rules(rules):
                yield
        finally:
            stop(holder)


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM the process's session, SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Network:
    """A bridge in the root namespace, and hosts on it (`host`)."""

    def __init__(self) -> None:
        self.suffix = uuid.uuid4().hex[:5]
        self.folder = Path(tempfile.mkdtemp(prefix=f"crosshost-{self.suffix}-"))
        self.folder.chmod(0o755)  # PostgreSQL runs as its own user under it
        subnet = ipaddress.ip_network(f"10.{random.randrange(128, 250)}.{random.randrange(256)}.0/24")  # noqa: S311
        self.addresses = iter(subnet.hosts())
        self.bridge = f"tn{self.suffix}br"
        self.hosts: list[Host] = []
        run("ip", "link", "add", self.bridge, "type", "bridge")
        self.gateway = str(next(self.addresses))
        run("ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")

    def host(self, role: str) -> Host:
        host = Host(self, role, str(next(self.addresses)))
        self.hosts.append(host)
        return host

    def close(self, keep_logs: bool = False) -> None:
        for host in reversed(self.hosts):
            host.stop_all()
        for host in self.hosts:  # the pair goes at once, even while the namespace lingers
            subprocess.run(["ip", "link", "del", host.link], check=False, capture_output=True)
            subprocess.run(["ip", "netns", "del", host.namespace], check=False, capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], check=False, capture_output=True)
        if not keep_logs:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- Services: what the services host runs -------------------------------------------


def start_postgres(host: Host, folder: Path) -> str:
    """A PostgreSQL cluster of its own (initdb into `folder`, trust on the
    host's address), started as the postgres user; returns its URL."""
    folder.mkdir()
    shutil.chown(folder, "postgres", "postgres")
    as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    subprocess.run(
        [*as_postgres, str(POSTGRES_BIN / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
         "--auth=trust", "--no-sync"],
        check=True, capture_output=True, cwd=folder,
    )  # fmt: skip
    with (folder / "data" / "pg_hba.conf").open("a") as hba:
        hba.write("host all all 0.0.0.0/0 trust\n")
    host.start(
        *as_postgres, str(POSTGRES_BIN / "postgres"), "-D", str(folder / "data"),
        "-c", f"listen_addresses={host.address}", "-c", "port=5432",
        "-c", f"unix_socket_directories={folder}", "-c", "fsync=off", "-c", "full_page_writes=off",
        "-c", "max_connections=200",
    )  # fmt: skip
    wait_until(lambda: listening(host.address, 5432), 60, "PostgreSQL")
    subprocess.run(
        [str(POSTGRES_BIN / "createdb"), "-h", host.address, "-U", "postgres", "tn"],
        check=True, capture_output=True,
    )  # fmt: skip
    return f"postgres://postgres@{host.address}:5432/tn"


def start_redis(host: Host) -> str:
    host.start("redis-server", "--bind", host.address, "--port", "6379", "--save", "", "--appendonly", "no",
               "--protected-mode", "no")  # fmt: skip
    wait_until(lambda: listening(host.address, 6379), 30, "Redis")
    return f"redis://{host.address}:6379/0"


def start_s3(host: Host) -> str:
    """moto's S3 server; returns its endpoint."""
    host.start(sys.executable, "-m", "moto.server", "-H", host.address, "-p", "9000")
    wait_until(lambda: listening(host.address, 9000), 60, "the S3 server")
    return f"http://{host.address}:9000"


def start_rabbitmq(host: Host, folder: Path) -> str:
    """A RabbitMQ node of its own, run as the rabbitmq user: its own node
    name, cookie, data, logs and configuration under `folder`, and its own
    epmd in the host (so the machine's node, in the root namespace, is never
    seen); guest may log in from other hosts. Returns its URL once it
    accepts connections."""
    folder.mkdir()
    shutil.chown(folder, "rabbitmq", "rabbitmq")
    (folder / "rabbitmq.conf").write_text("listeners.tcp.default = 5672\nloopback_users = none\n")
    (folder / "enabled_plugins").write_text("[].\n")
    (folder / "rabbitmq-env.conf").touch()  # not /etc/rabbitmq's, which names the machine's node
    node = f"{host.namespace}@localhost"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),  # the Erlang cookie, shared by the node and rabbitmqctl
        "LANG": "C.UTF-8",
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
    }
    as_rabbitmq = ["setpriv", "--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups"]
    # In the foreground, so `close` stops it; the node would start one that outlives it.
    host.start(*as_rabbitmq, "epmd", env=env)
    wait_until(lambda: listening(host.address, 4369), 30, "epmd")
    host.start(*as_rabbitmq, str(RABBITMQ_BIN / "rabbitmq-server"), env=env)
    wait_until(lambda: listening(host.address, 5672), 120, "RabbitMQ")
    subprocess.run(
        [*host.prefix(), *as_rabbitmq, str(RABBITMQ_BIN / "rabbitmqctl"), "-n", node, "await_startup",
         "--timeout", "120"],
        check=True, capture_output=True, env=env, timeout=150,
    )  # fmt: skip
    return f"amqp://guest:guest@{host.address}:5672//"
