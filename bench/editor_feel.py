"""How the editor feels: from a control's input event to the new preview's
`load`, in a real Chromium against the real server. Prints figures; not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/editor_feel.py [--changes 40] [--kind cards]

Starts gunicorn on loopback as production runs it (config/gunicorn.py:
processes × threads, the renderer warmed), seeds a user with the seed
thread (9 posts by Santiago), opens the editor in headless Chromium
(/usr/bin/chromium) at 1440 × 900, then drives `--changes` control changes
of every sort the panels have (sliders, colours, selects, checkboxes), each
to a value not shown before, and waits for each new image. Prints p50, p95
and max of input → image `load`, and of the preview request's server time
(Resource Timing: request sent to first byte back, on loopback).
"""

import argparse
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="editor-feel-"))
PORT = 8037
SEED = Path("/work/shared/seeds/000_d0b8afc84c38f9bc.txt")
os.environ.update(DATA_DIR=str(WORK), DJANGO_SETTINGS_MODULE="config.settings")
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real system.")

import django

from bench.site_server import start_gunicorn

django.setup()

from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, sync_playwright

from accounts.models import User
from tests.factories import unlimited_plan
from threads.services import thread_import

# Resolves with [input → image load in ms, the preview request's server ms]
# once the preview shows an image other than the one it showed before.
MEASURE = """
async ([selector, value]) => {
  const img = document.querySelector("[data-preview]");
  const before = img.currentSrc || img.src;
  const control = document.querySelector(selector);
  const loaded = new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error("no new image for " + selector)), 10000);
    const onload = () => {
      if ((img.currentSrc || img.src) === before) return;
      img.removeEventListener("load", onload);
      clearTimeout(timeout);
      resolve(performance.now());
    };
    img.addEventListener("load", onload);
  });
  performance.clearResourceTimings();
  const started = performance.now();
  if (control.type === "checkbox") control.checked = !control.checked;
  else control.value = value;
  control.dispatchEvent(new Event("input", { bubbles: true }));
  control.dispatchEvent(new Event("change", { bubbles: true }));
  const shown = await loaded;
  const requests = performance.getEntriesByType("resource").filter((entry) => entry.name.includes("/render/preview/"));
  const last = requests.at(-1);
  return [shown - started, last ? last.responseStart - last.requestStart : null, requests.length];
}
"""


def changes(count: int) -> list[tuple[str, str]]:
    """`count` control changes, each to a value the controls have not held
    together before: no answer comes from a cache."""
    sliders: dict[str, Iterator[object]] = {
        "#radius": itertools.cycle(range(3, 200, 7)),
        "#canvas-padding": itertools.cycle(range(5, 120, 6)),
        "#angle": itertools.cycle(range(7, 360, 11)),
        "#card-padding": itertools.cycle(range(2, 60, 3)),
        "#font-size": itertools.cycle(range(9, 30)),
        "#line-height": itertools.cycle(f"{1.05 + step * 0.05:.2f}" for step in range(30)),
        "#opacity": itertools.cycle(f"{1 - step * 0.05:.2f}" for step in range(1, 12)),
    }
    colours: dict[str, Iterator[object]] = {
        "#text-color": itertools.cycle(f"#{n:02x}{40 + n:02x}{80 - n:02x}" for n in range(0, 60, 3)),
        "#card-color": itertools.cycle(f"#ff{255 - n:02x}{240 - n:02x}" for n in range(0, 60, 3)),
    }
    selects: dict[str, Iterator[object]] = {
        "#font": itertools.cycle(["Lora", "Roboto", "Noto Serif", "IBM Plex Sans", "Inter", "Merriweather"]),
    }
    kinds: list[tuple[str, Iterator[object]]] = [*sliders.items(), *colours.items(), *selects.items()]
    plan = []
    for number in range(count):
        selector, values = kinds[number % len(kinds)]
        plan.append((selector, str(next(values))))
        if number % 10 == 9:
            plan.append(('[data-path="card.shadow"]', ""))
    return plan[:count]


def percentile(values: list[float], share: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def seed() -> tuple[User, int]:
    plan = unlimited_plan("feel")
    user = User.objects.create_user(f"feel-{uuid.uuid4().hex[:8]}@example.com", None, plan=plan)
    thread = thread_import(owner=user, format="text", content=SEED.read_text(encoding="utf-8"))
    return user, thread.pk


def start_server() -> subprocess.Popen[bytes]:
    return start_gunicorn(WORK, PORT)


def open_editor(page: Page, thread_id: int, kind: str) -> None:
    page.goto(f"http://127.0.0.1:{PORT}/threads/{thread_id}/editor/")
    page.wait_for_function("() => document.querySelector('[data-preview]').src.startsWith('blob:')")
    if kind != "cards":
        old = page.locator("[data-preview]").get_attribute("src")
        page.locator(f'input[name="kind"][value="{kind}"]').check()
        page.wait_for_function("old => document.querySelector('[data-preview]').src !== old", arg=old)
    for panel in page.locator("details.panel").all():
        panel.evaluate("element => { element.open = true; }")


def drive(page: Page, plan: list[tuple[str, str]]) -> list[tuple[str, float, float | None, int]]:
    results = []
    for selector, value in plan:
        shown, server, requests = page.evaluate(MEASURE, [selector, value])
        results.append((selector, shown, server, requests))
    return results


def report(results: list[tuple[str, float, float | None, int]]) -> None:
    shown = [ms for _, ms, _, _ in results]
    server = [ms for _, _, ms, _ in results if ms is not None]
    print(f"{'':28} {'p50':>7} {'p95':>7} {'max':>7}")
    print(
        f"{'input → new image (ms)':28} {percentile(shown, 50):7.0f} {percentile(shown, 95):7.0f} {max(shown):7.0f}"
    )
    if server:
        print(
            f"{'preview server time (ms)':28} {percentile(server, 50):7.0f} {percentile(server, 95):7.0f}"
            f" {max(server):7.0f}"
        )
        # What the page adds to the server's time (the request's way there
        # and back, decoding, the swap): it depends less on the machine's load.
        added = [ms - server for _, ms, server, _ in results if server is not None]
        print(
            f"{'page adds (ms)':28} {percentile(added, 50):7.0f} {percentile(added, 95):7.0f} {max(added):7.0f}"
        )
    print(f"preview requests per change: {statistics.mean(r for *_, r in results):.2f}")
    by_control: dict[str, list[float]] = {}
    for selector, ms, _, _ in results:
        by_control.setdefault(selector, []).append(ms)
    for selector, times in by_control.items():
        print(f"  {selector:34} median {statistics.median(times):5.0f} ms over {len(times)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--kind", choices=["cards", "thread", "carousel"], default="cards")
    parser.add_argument("--warm-up", type=int, default=6, help="changes made first and not counted")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    user, thread_id = seed()
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    web = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session, "url": f"http://127.0.0.1:{PORT}"}])
            page = context.new_page()
            open_editor(page, thread_id, options.kind)
            plan = changes(options.changes + options.warm_up)
            drive(page, plan[: options.warm_up])
            results = drive(page, plan[options.warm_up :])
            browser.close()
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
    print(
        f"{options.changes} control changes, {options.kind} preview, the seed thread (9 posts), "
        f"Chromium headless 1440×900, gunicorn as config/gunicorn.py on loopback, {os.cpu_count()} cores"
    )
    report(results)


if __name__ == "__main__":
    main()
