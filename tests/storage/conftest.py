"""Real S3-protocol servers on loopback, and the settings that point the
test process and its workers at them: only the README's AWS_* variables,
read by config/settings.py as in production.

Two servers, because neither does everything: moto (in server mode) for
the bucket's contents, and s3rver (Node, `tests/storage/sigv4`, installed
by `./dev test`) where a test needs the server to check SigV4 signatures
and presigned links' expiry as AWS, MinIO and R2 do; moto takes any
signature on a presigned link."""

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.conftest import require_service
from tests.workers import wait_for

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
ANY_BUCKET = "tn-any-bucket"
# moto takes any key pair; these are the README's variables, not real secrets.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tn-test-key", "AWS_SECRET_ACCESS_KEY": "tn-test-secret"}
SIGV4 = ROOT / "tests" / "storage" / "sigv4"
# s3rver's one account, built in: it refuses any other key.
SIGV4_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        requests.get(url, timeout=1)
    except requests.ConnectionError:
        return False
    return True


def serving(command: list[str], log: Path, what: str, cwd: Path = ROOT) -> Iterator[str]:
    """Run an S3 server on a free loopback port (`{port}` in its command)
    until the session ends."""
    port = free_port()
    server = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command],
        cwd=cwd,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: server.poll() is None and answers(endpoint), timeout=30, what=f"{what} to answer")
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`moto.server` as a subprocess on a free loopback port, stopped at the end."""
    require_service(importlib.util.find_spec("moto.server") is not None, "moto[server] (S3)")
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"]
    yield from serving(command, log, "moto")


@pytest.fixture(scope="session")
def sigv4_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """s3rver, which checks every request's signature, on a free loopback port."""
    node = shutil.which("node")
    installed = (SIGV4 / "node_modules" / "@20minutes" / "s3rver").is_dir()
    require_service(node is not None and installed, "Node and tests/storage/sigv4's packages (npm ci)")
    folder = tmp_path_factory.mktemp("s3rver")
    command = [str(node), "serve.js", "{port}", str(folder / "data")]
    yield from serving(command, folder / "s3rver.log", "s3rver", cwd=SIGV4)


def bucket_env(endpoint: str, credentials: dict[str, str]) -> dict[str, str]:
    """The README's storage variables for a new bucket of the test's own."""
    bucket = f"tn-test-{uuid.uuid4().hex[:12]}"
    env = {
        **credentials,
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
    }
    s3_client(env).create_bucket(Bucket=bucket)
    return env


@pytest.fixture
def s3_env(s3_endpoint: str) -> dict[str, str]:
    return bucket_env(s3_endpoint, CREDENTIALS)


def s3_client(env: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name=env["AWS_S3_REGION_NAME"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def storage_built_from(env: dict[str, str]) -> dict[str, Any]:
    """STORAGES["default"] as config/settings.py builds it from `env`."""
    others = {name: value for name, value in env.items() if name != "AWS_STORAGE_BUCKET_NAME"}
    built = storage_read_off(tuple(sorted(others.items())))
    # Read off once for any bucket (a fresh interpreter takes a second or two).
    assert built["OPTIONS"]["bucket_name"] == ANY_BUCKET
    return {**built, "OPTIONS": {**built["OPTIONS"], "bucket_name": env["AWS_STORAGE_BUCKET_NAME"]}}


@cache
def storage_read_off(variables: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """STORAGES["default"] as config/settings.py builds it from `variables`
    (read off a fresh interpreter, so nothing here repeats its logic)."""
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **dict(variables),
        "AWS_STORAGE_BUCKET_NAME": ANY_BUCKET,
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    built: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return built


class Bucket:
    """The test's bucket, and how to point this process and workers at it."""

    def __init__(self, env: dict[str, str], settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.env = env
        self.name = env["AWS_STORAGE_BUCKET_NAME"]
        self.client = s3_client(env)
        self._settings = settings
        self._monkeypatch = monkeypatch
        self.configure()

    def configure(self, **extra: str) -> dict[str, str]:
        """Point this process's default storage at the bucket (settings
        built from the variables, the credentials from the environment as
        boto3 reads them) and return the variables for a worker."""
        self.env = {**self.env, **extra}
        for name, value in self.env.items():
            self._monkeypatch.setenv(name, value)
        storage = storage_built_from(self.env)
        assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
        self._settings.STORAGES = {**self._settings.STORAGES, "default": storage}
        return self.env

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    def read(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return body


@pytest.fixture
def bucket(s3_env, settings, monkeypatch, _media_in_temp_folder) -> Bucket:
    """Storage on S3 for this test (after the filesystem default of tests/conftest.py)."""
    return Bucket(s3_env, settings, monkeypatch)


@pytest.fixture
def signing_bucket(sigv4_endpoint, settings, monkeypatch, _media_in_temp_folder) -> Bucket:
    """Storage on the S3 server that checks signatures and expiry."""
    return Bucket(bucket_env(sigv4_endpoint, SIGV4_CREDENTIALS), settings, monkeypatch)
