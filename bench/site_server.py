"""The website as the browser benches use it: gunicorn as config/gunicorn.py
runs it, on loopback, with this process's environment."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_gunicorn(work: Path, port: int) -> subprocess.Popen[bytes]:
    """Start it (its log in `work`) and return once /healthz answers."""
    log = (work / "gunicorn.log").open("ab")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return web
        except OSError:
            time.sleep(0.5)
    web.kill()
    sys.exit(f"gunicorn did not start: see {work / 'gunicorn.log'}")
