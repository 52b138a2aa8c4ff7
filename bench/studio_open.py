"""How fast a long thread opens in Carousel Studio, in a real Chromium
against the real server. Prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/studio_open.py [--posts 120] [--runs 5]

Starts gunicorn on loopback as production runs it (config/gunicorn.py:
processes × threads, the renderer warmed) and signs in a user on the free
plan. Each run makes a new thread of `--posts` posts (a new thread, so no
server cache has its slides yet), opens its studio in a new headless
Chromium context (/usr/bin/chromium) at 1440 × 900 and measures, from the
navigation's start, until every slide in the strip's view (and the
selected one) shows its image; then how many previews that took, and how
many the open made in all once the network is quiet (the strip also
fetches the slides just beyond its edges). A warm-up run is not counted.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="studio-open-"))
PORT = 8041
os.environ.update(DATA_DIR=str(WORK), DJANGO_SETTINGS_MODULE="config.settings")
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")

import django

from bench.site_server import start_gunicorn

django.setup()

from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, sync_playwright

from accounts.models import Plan, User
from threads.models import Post, Thread

TEXT = "Post {n}: a realistic few sentences about the topic of the thread, long enough to wrap over lines."

# Resolves with performance.now() (ms since the navigation began) once
# every tile in the strip's view, and the selected slide, shows its image.
SHOWN = """
() => {
  const strip = document.querySelector("[data-strip]");
  const selected = document.querySelector("[data-selected]");
  if (!strip || !strip.children.length || !selected.src.startsWith("blob:") || !selected.complete) return false;
  const box = strip.getBoundingClientRect();
  const inView = [...strip.children].filter((item) => {
    const seen = item.getBoundingClientRect();
    return seen.right > box.left && seen.left < box.right;
  });
  const drawn = inView.every((item) => {
    const img = item.querySelector("img");
    return item.dataset.state === "ready" && img.complete && img.naturalWidth > 0;
  });
  return drawn && [performance.now(), inView.length];
}
"""


# ms since the navigation began: the page parsed, the layout answered, the
# first preview answered; and the previews' median time on the server
# (request sent to first byte, on loopback).
STEPS = """
() => {
  const [navigation] = performance.getEntriesByType("navigation");
  const resources = performance.getEntriesByType("resource");
  const layout = resources.find((entry) => entry.name.includes("/render/slides/"));
  const previews = resources.filter((entry) => entry.name.includes("/render/preview/"));
  const server = previews.map((entry) => entry.responseStart - entry.requestStart).sort((a, b) => a - b);
  return {
    parsed: navigation.domContentLoadedEventEnd,
    layout: layout ? layout.responseEnd : null,
    first_preview: previews.length ? Math.min(...previews.map((entry) => entry.responseEnd)) : null,
    preview_server: server.length ? server[Math.floor(server.length / 2)] : null,
  };
}
"""
Result = tuple[float, int, int, int, dict[str, float]]


def seed_user() -> User:
    user = User.objects.create_user(f"studio-{uuid.uuid4().hex[:8]}@example.com", None, plan_id=Plan.FREE)
    return user


def seed_thread(user: User, posts: int) -> int:
    thread = Thread.objects.create(
        owner=user, title=f"Open {uuid.uuid4().hex[:6]}", author_name="Bench", handle="b"
    )
    Post.objects.bulk_create(
        [Post(thread=thread, position=n, text=TEXT.format(n=n)) for n in range(1, posts + 1)]
    )
    return thread.pk


def start_server() -> subprocess.Popen[bytes]:
    return start_gunicorn(WORK, PORT)


def open_once(browser: Browser, session: str, thread_id: int, shots: Path | None) -> Result:
    """ms to the slides in view, tiles in view, previews by then, previews in all, and the steps."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": f"http://127.0.0.1:{PORT}"}])
    page = context.new_page()
    previews: list[int] = []
    page.on("request", lambda request: previews.append(1) if "/render/preview/" in request.url else None)
    page.goto(f"http://127.0.0.1:{PORT}/threads/{thread_id}/studio/", wait_until="commit")
    shown, in_view = page.wait_for_function(SHOWN, polling="raf", timeout=30_000).json_value()
    by_then = len(previews)
    steps = page.evaluate(STEPS)
    page.wait_for_load_state("networkidle")
    if shots:
        page.screenshot(path=shots.with_name(f"{shots.stem}-open.png"), full_page=True)
        page.locator("[data-strip]").evaluate("strip => { strip.scrollLeft = strip.scrollWidth / 2; }")
        page.wait_for_timeout(100)  # placeholders before their previews come back
        page.screenshot(path=shots.with_name(f"{shots.stem}-scrolled.png"), full_page=True)
    context.close()
    return shown, in_view, by_then, len(previews), steps


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=120)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshots", type=Path, help="e.g. /tmp/studio.png: -open and -scrolled PNGs")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = seed_user()
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    # Made before Playwright starts: its event loop forbids the ORM in this thread.
    warm_up, *threads = [seed_thread(user, options.posts) for _ in range(options.runs + 1)]
    web = start_server()
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            open_once(browser, session, warm_up, None)
            for run, thread_id in enumerate(threads):
                shots = options.screenshots if run == 0 else None
                results.append(open_once(browser, session, thread_id, shots))
            browser.close()
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
    print(
        f"Carousel Studio, a new thread of {options.posts} posts ({options.posts + 2} slides) per run, "
        f"free plan, Chromium headless 1440×900, gunicorn as config/gunicorn.py on loopback, "
        f"{os.cpu_count()} cores; {options.runs} runs after a warm-up"
    )
    times = [result[0] for result in results]
    print(f"navigation → slides in view shown: median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f}), {statistics.median(r[1] for r in results):.0f} tiles in view")  # fmt: skip
    for step in ("parsed", "layout", "first_preview", "preview_server"):
        print(f"  {step:32} median {statistics.median(r[4][step] for r in results):6.0f} ms")
    print(f"preview requests by then: median {statistics.median(r[2] for r in results):.0f}; "
          f"once quiet: median {statistics.median(r[3] for r in results):.0f} (all slides: {options.posts + 2})")  # fmt: skip


if __name__ == "__main__":
    main()
