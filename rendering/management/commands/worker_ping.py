import time
from argparse import ArgumentParser
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.management.base import BaseCommand, CommandError

from rendering.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task through the broker and wait for a worker to answer."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait.")
        parser.add_argument("--queue", default="celery", help="Queue the worker consumes.")

    def handle(self, *args: Any, timeout: float, queue: str, **options: Any) -> None:
        started = time.perf_counter()
        result = ping.apply_async(queue=queue)
        try:
            answer = result.get(timeout=timeout)
        except CeleryTimeout as exc:
            raise CommandError(f"No worker answered on queue {queue!r} within {timeout:g} s.") from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{answer} from a worker on queue {queue!r} in {elapsed:.2f} s")
