"""The API mix of bench/load_bench.py: each simulated client is one API user
reading threads, saving a preset, previewing, exporting and polling."""

import json
import os
import random
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
# Every request's time, written out when Locust quits: the bench pools
# rounds and takes exact percentiles (Locust's own are rounded to two digits).
SAMPLES: list[tuple[str, float, bool]] = []


@events.request.add_listener
def record(name: str, response_time: float, exception: BaseException | None, **_: Any) -> None:
    SAMPLES.append((name, response_time, exception is not None))


@events.quitting.add_listener
def write_samples(**_: Any) -> None:
    Path(os.environ["LOAD_SAMPLES"]).write_text(json.dumps(SAMPLES), encoding="utf-8")


class ApiClient(FastHttpUser):
    wait_time = between(0.2, 0.6)

    def on_start(self) -> None:
        account = ACCOUNTS[random.randrange(len(ACCOUNTS))]  # noqa: S311 (load mix, not security)
        self.headers = {"Authorization": f"Bearer {account['token']}"}
        self.threads = account["threads"]
        self.preset = account["preset"]
        self.jobs: list[int] = []

    def thread(self) -> int:
        return random.choice(self.threads)  # noqa: S311

    @task(5)
    def list_threads(self) -> None:
        self.client.get("/api/v1/threads/", headers=self.headers, name="GET threads")

    @task(5)
    def get_thread(self) -> None:
        self.client.get(f"/api/v1/threads/{self.thread()}/", headers=self.headers, name="GET thread")

    @task(1)
    def save_preset(self) -> None:
        style = {"card": {"radius": random.randint(0, 60)}}  # noqa: S311
        self.client.patch(
            f"/api/v1/presets/{self.preset}/",
            json={"style": style},
            headers=self.headers,
            name="PATCH preset",
        )

    @task(2)
    def preview(self) -> None:
        body = {
            "thread": self.thread(),
            "kind": "cards",
            "page": 1,
            "style": {"card": {"radius": random.choice([8, 24, 40])}},  # noqa: S311
        }
        self.client.post("/api/v1/render/preview/", json=body, headers=self.headers, name="POST preview")

    @task(1)
    def create_job(self) -> None:
        body = {"kind": "thread", "thread": self.thread(), "format": "png"}
        with self.client.post(
            "/api/v1/jobs/", json=body, headers=self.headers, name="POST job", catch_response=True
        ) as response:
            if response.status_code == 202:
                self.jobs.append(response.json()["id"])
                response.success()

    @task(3)
    def poll(self) -> None:
        if self.jobs:
            self.client.get(f"/api/v1/jobs/{self.jobs[-1]}/", headers=self.headers, name="GET job")
