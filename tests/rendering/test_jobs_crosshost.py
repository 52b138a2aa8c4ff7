"""The cross-host drill (bench/crosshost_drill.py), one short trial of each
fault: PostgreSQL, Redis and S3 on a "services" host, two workers and the
web each on their own (network namespaces; root and iptables), over each
broker (Redis, and a RabbitMQ node of the drill's own on that host). A worker
partitioned from the broker, a worker on a slow, lossy link, a worker cut
from the database mid job: every accepted job ends once, and every
faulted worker finishes a new job after the network returns."""

import json
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from bench.hosts import missing_tools
from rendering.jobs.storage import save_file
from tests.brokers import BOTH_BROKERS
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
# Longer than kombu's check of a silent BRPOP connection (25 s + the 1 s
# BRPOP), and than an AMQP worker's wait for its next heartbeat (15 s at
# CELERY_BROKER_HEARTBEAT's 30 s), which py-amqp's TCP_USER_TIMEOUT (1 s)
# fails: either way the worker meets a dead broker connection, not a short pause.
PARTITION_SECONDS = 30
DB_CUT_SECONDS = 20  # longer than the drill's JOB_STALE_AFTER (15 s): the job is taken over


@BOTH_BROKERS
def test_across_hosts_every_job_ends_once_and_no_worker_stays_hung(tmp_path, broker):
    missing = missing_tools(broker)
    require_service(not missing, f"{', '.join(missing)} (network namespaces for the cross-host drill)")
    figures = tmp_path / "crosshost.json"
    # Over RabbitMQ only the partition, the broker's own fault (the slow link
    # and the database cut meet the same job code whatever the broker), to
    # keep CI's time: each trial is most of a minute.
    faults = ["partition", "latency", "db"] if broker == "redis" else ["partition"]
    command = [
        sys.executable, "bench/crosshost_drill.py", "--broker", broker, "--trials", "1",
        "--partition", str(PARTITION_SECONDS), "--db-cut", str(DB_CUT_SECONDS), "--json", str(figures),
        *[argument for fault in faults for argument in ("--only", fault)],
    ]  # fmt: skip
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as drill:
        try:
            stdout, stderr = drill.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            drill.terminate()  # not killed: on SIGTERM the drill removes its hosts and their processes
            stdout, stderr = drill.communicate()
    print(stdout, stderr[-20000:])
    assert drill.returncode == 0

    tallies = {tally["fault"]: tally for tally in json.loads(figures.read_text())}
    assert len(tallies) == len(faults)
    for fault, tally in tallies.items():
        assert tally["broker"] == broker, fault
        if fault.endswith("partitioned from the broker"):
            # Back at once, not after TCP's backoff (some 50 s over Redis before
            # config/redis_broker.py); RabbitMQ's worker used to stop for good.
            assert tally["recovery"][0] < 30, tally
        assert tally["trials"] == 1, fault
        assert tally["accepted"], fault
        assert tally["counts"] == {"succeeded": len(set(tally["accepted"]))}, fault
        assert tally["hung"] == 0, fault
        assert len(tally["recovery"]) == 1, fault


def test_two_runs_storing_one_export_never_write_the_same_file():
    # The drill's find: a slow run and the run that took its job over both
    # found the name free; the slow upload overwrote the other's result and
    # then, ending second, deleted it. Each save now writes a name of its own.
    name = "exports/7/thread-carousel.zip"
    first = save_file(name, ContentFile(b"first run"))
    second = save_file(name, ContentFile(b"second run"))

    assert first != second
    for stored in (first, second):
        assert stored.startswith("exports/7/thread-carousel_")
        assert stored.endswith(".zip")
    default_storage.delete(second)  # the run that ends second throws its file away
    assert default_storage.open(first).read() == b"first run"
