"""Schemathesis against our own OpenAPI document on a live server, signed in,
every operation, negative cases and the stateful phase: no 5xx, every
answer of a documented status, content type and shape."""

import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import Plan
from accounts.services import token_create
from tests.factories import UserFactory, thread_with_posts

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
OPTIONS = (
    "--phases examples,coverage,fuzzing,stateful --max-examples 8 --workers 1 --seed 20261124 --report junit"
)
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_the_api_keeps_to_its_schema(live_server, tmp_path):
    # A plan without a rate limit, so the run tests the API, not the throttle.
    limits = {
        "exports_per_month": 10**6,
        "max_scale": 3,
        "bulk_max_threads": 500,
        "api_requests_per_minute": 10**6,
    }
    plan, _ = Plan.objects.update_or_create(
        code="contract",
        defaults={"name": "Contract", "watermark_forced": False, "shows_ads": False, **limits},
    )
    user = UserFactory(email="contract@example.com", plan_id=plan.code)
    thread_with_posts(user, "A post for the contract test.", title="Contract")
    _, secret = token_create(user=user, name="schemathesis")

    schema = f"{live_server.url}/api/v1/schema/"
    auth = f"Authorization: Bearer {secret}"
    command = [sys.executable, "-m", "schemathesis.cli", "run", schema, *OPTIONS.split()]
    run = subprocess.run(
        [*command, "--header", auth, "--checks", CHECKS, "--report-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

    print(run.stdout[-6000:])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
