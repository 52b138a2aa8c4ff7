"""Browser tests drive the system Chromium (never a downloaded browser)."""

import os
import shutil
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import require_service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in the test thread; the ORM
    # calls the test makes from that thread are safe because it waits on them.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_service(os.path.exists(CHROMIUM), "Chromium (/usr/bin/chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def live_requests() -> list[threading.Thread]:
    """The live server's threads still answering a request."""
    return [thread for thread in threading.enumerate() if thread.name.endswith("(process_request_thread)")]


# A wait, not a sleep: an expect returns as soon as its condition holds. The
# default 5 s is short for a first render while CI runs two test workers,
# their Celery workers and the browsers on two cores.
expect.set_options(timeout=15_000)


@pytest.fixture
def page(page):
    """pytest-playwright's page, which on leaving the test first leaves the
    site (so what pages save as they close, such as the editor's draft, is
    sent now), closes its connections and waits for the live server to
    answer what it was sent: the database is then flushed with no request
    still writing to it."""
    yield page
    if not page.is_closed():
        page.goto("about:blank")
    page.context.close()  # and with it the connections kept alive
    deadline = time.monotonic() + 10
    while live_requests() and time.monotonic() < deadline:
        time.sleep(0.02)
