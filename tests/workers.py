"""Real Celery workers for tests: their own processes and process groups,
sharing the test database, the media folder and a queue of their own."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Worker:
    """`celery worker` in its own process group, with beat for the reconciler."""

    def __init__(
        self, env: dict[str, str], log: Path, *, prefix: Sequence[str] = (), queues: Sequence[str] = ()
    ) -> None:
        """`prefix` runs it elsewhere (`ip netns exec NS`: it execs, so the
        process is the worker); `queues`, when given, are all it consumes."""
        self.log = log
        command = "celery -A config worker --beat --pool prefork --concurrency 2 --loglevel info"
        command += " --without-heartbeat --without-gossip --without-mingle"
        command += f" --queues {','.join(queues)}" if queues else ""
        command += f" --hostname test-{uuid.uuid4().hex[:8]}@%h"
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", *command.split()],
            cwd=ROOT,
            env=env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig) if sig == signal.SIGKILL else self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wait_for(condition: Callable[[], bool], timeout: float = 90, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
