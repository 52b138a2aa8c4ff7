"""Schemathesis against our own OpenAPI document on a live server, signed in,
every operation, negative cases and the stateful phase: no 5xx, every
answer of a documented status, content type and shape. Then two users as
peers: whatever one of them creates or lists, the other reading it by id
must not get it (Schemathesis' object-level authorization check)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import ApiToken
from accounts.services import token_create
from tests.factories import UserFactory, one_of_everything, set_next_id, thread_with_posts, unlimited_plan

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
OPTIONS = (
    "--phases examples,coverage,fuzzing,stateful --max-examples 8 --workers 1 --seed 20261124 --report junit"
)
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def unlimited_user(email: str):
    plan = unlimited_plan("contract", watermark_forced=False)
    user = UserFactory(email=email, plan_id=plan.code)
    thread_with_posts(user, f"A post of {email} for the contract test.", title=f"Contract {email}")
    return user


def schemathesis(live_server, tmp_path: Path, *arguments: str, config: Path | None = None) -> None:
    schema = f"{live_server.url}/api/v1/schema/"
    command = [sys.executable, "-m", "schemathesis.cli"]
    if config is not None:
        command += ["--config-file", str(config)]
    run = subprocess.run(
        [*command, "run", schema, *OPTIONS.split(), *arguments, "--report-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(run.stdout[-6000:])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_the_api_keeps_to_its_schema(live_server, tmp_path):
    user = unlimited_user("contract@example.com")
    _, secret = token_create(user=user, name="schemathesis")
    schemathesis(live_server, tmp_path, "--header", f"Authorization: Bearer {secret}", "--checks", CHECKS)


def test_no_user_reads_another_users_objects(live_server, tmp_path):
    peers = {name: unlimited_user(f"{name}@example.com") for name in ("alice", "bob")}
    auth = {
        "auth": [
            {
                "name": name,
                "fixedHeaders": [
                    {"name": "Authorization", "value": f"Bearer {token_create(user=user, name='peer')[1]}"}
                ],
            }
            for name, user in peers.items()
        ]
    }
    (tmp_path / "auth.json").write_text(json.dumps(auth))
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[auth.wfc]\npath = "{tmp_path / "auth.json"}"\npeers = ["alice", "bob"]\n')
    schemathesis(live_server, tmp_path, "--checks", f"{CHECKS},object_level_authorization", config=config)


ALICES = 900_000  # every object of alice's gets this id (tables have their own sequences)


def test_another_users_token_gets_nothing_of_the_first_users_ids(live_server, tmp_path):
    """Bob's token against alice's ids, every operation and method, with
    negative cases and the stateful phase: not one 2xx."""
    alice = unlimited_user("alice@example.com")
    objects = one_of_everything(alice, first_id=ALICES)
    assert {item.pk for name, item in objects.items() if name != "queued_job"} == {ALICES}
    set_next_id(ApiToken, ALICES)
    token_create(user=alice, name="alice's own")
    bob = unlimited_user("bob@example.com")
    _, secret = token_create(user=bob, name="bob")
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        'hooks = "tests.contract.cross_user_hooks"\n[parameters]\n'
        + "".join(f'"path.{name}" = {ALICES}\n' for name in ("id", "thread_id", "token_id"))
        + '"path.position" = 1\n'
    )
    schemathesis(
        live_server,
        tmp_path,
        "--header",
        f"Authorization: Bearer {secret}",
        "--checks",
        f"{CHECKS},no_cross_user_success",
        config=config,
    )
    for model_object in objects.values():
        assert type(model_object).objects.filter(pk=model_object.pk).exists(), "alice's objects are all there"
