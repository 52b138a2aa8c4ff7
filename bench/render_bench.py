"""Renderer benchmark: prints a table; not a test.

    .venv/bin/python bench/render_bench.py [--rounds 5]

Uses the seed page when it is beside the project (../shared/seeds), else the
test fixture. One core (the renderer is single-threaded); medians of rounds.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from rendering.adapters import input_from_imported
from rendering.engine import outputs
from rendering.engine.paint import paint
from rendering.engine.renderer import lay_out, pdf_pages, render, render_page
from rendering.engine.spec import spec_from_style
from threads.importers import import_text
from threads.style import style_validate

SEED = ROOT.parent / "shared" / "seeds" / "000_d0b8afc84c38f9bc.txt"
PDF_MANY = 200  # slides in the long PDF assembly row
FIXTURE = ROOT / "tests" / "threads" / "fixtures" / "app_page_marisol.txt"
COLD = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
def peak_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
    return int(line.split()[1]) / 1024
started = time.perf_counter()
import django; django.setup()
from rendering.adapters import input_from_imported
from rendering.engine.renderer import render
from threads.importers import import_text
from threads.style import style_validate
from rendering.adapters import warm_up
data = input_from_imported(import_text(open({path!r}, encoding="utf-8").read()))
imported = time.perf_counter()
if {warm!r}:
    warm_up()  # as a worker process does when it starts
warmed, before = time.perf_counter(), peak_mb()
first = []
def progress(done, total):
    if done == 1:
        first.append(time.perf_counter())
render(data=data, style=style_validate({{}}), kind="carousel", fmt="png", progress=progress)
done = time.perf_counter()
print(imported - started, warmed - imported, first[0] - warmed, done - started, before, peak_mb())
"""


def rss_mb(field: str) -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def peak_growth_mb(work) -> float:
    """How far the peak resident size rises above the current one during `work`."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current size
    now = rss_mb("VmRSS")
    work()
    return rss_mb("VmHWM") - now


def median_ms(work, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def assemble_pdf(slides: list) -> bytes:
    """The PDF from already encoded slides: text layer, structure, metadata."""
    return outputs.pdf(slides, title="Bench", subject="Bench", language="en")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    source = SEED if SEED.exists() else FIXTURE
    data = input_from_imported(import_text(source.read_text(encoding="utf-8")))
    style = style_validate({})
    spec = spec_from_style(style, kind="carousel", scale=1)
    render(data=data, style=style, kind="carousel", fmt="png")  # warm caches: fonts, background, card
    pages = lay_out(data, spec, "carousel")
    images = [paint(page, spec, data.pictures, data.avatar, data.thread.author_name) for page in pages]
    slides = len(pages)
    slide_pdf = pdf_pages(pages, [outputs.encode(image, "png") for image in images], spec)
    many_slides = (slide_pdf * (PDF_MANY // slides + 1))[:PDF_MANY]

    rows = [
        (
            "layout, whole carousel",
            median_ms(lambda: lay_out(data, spec, "carousel"), rounds) / slides,
            "per slide",
        ),
        (
            "paint",
            median_ms(lambda: [paint(p, spec, {}, None, "S") for p in pages], rounds) / slides,
            "per slide",
        ),
        (
            "PNG slide (render + encode)",
            median_ms(lambda: render(data=data, style=style, kind="carousel", fmt="png"), rounds) / slides,
            "per slide",
        ),
        (
            "JPEG slide (render + encode)",
            median_ms(lambda: render(data=data, style=style, kind="carousel", fmt="jpeg"), rounds) / slides,
            "per slide",
        ),
        (
            "floor: PNG encode only",
            median_ms(lambda: [outputs.encode(i, "png") for i in images], rounds) / slides,
            "per slide",
        ),
        (
            "floor: JPEG encode only",
            median_ms(lambda: [outputs.encode(i, "jpeg") for i in images], rounds) / slides,
            "per slide",
        ),
        (
            "PDF, whole carousel",
            median_ms(lambda: render(data=data, style=style, kind="carousel", fmt="pdf"), rounds),
            f"{slides} slides",
        ),
        (
            "PDF assembly from the PNGs",
            median_ms(lambda: assemble_pdf(slide_pdf), rounds),
            f"{slides} slides",
        ),
        (
            "PDF assembly from the PNGs",
            median_ms(lambda: assemble_pdf(many_slides), rounds),
            f"{PDF_MANY} slides",
        ),
        (
            "cards, all posts (PNG)",
            median_ms(lambda: render(data=data, style=style, kind="cards", fmt="png"), rounds),
            f"{len(data.thread.posts)} cards",
        ),
        (
            "thread image (PNG)",
            median_ms(lambda: render(data=data, style=style, kind="thread", fmt="png"), rounds),
            "1 image",
        ),
    ]
    cold, warmed = (
        [
            float(value)
            for value in subprocess.run(
                [sys.executable, "-c", COLD.format(root=str(ROOT), path=str(source), warm=warm)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        ]
        for warm in (False, True)
    )
    png = render(data=data, style=style, kind="carousel", fmt="png")
    scale_three = peak_growth_mb(
        lambda: render_page(data=data, style=style, kind="carousel", page=2, fmt="png", scale=3)
    )
    print(f"input: {source.name}, {len(data.thread.posts)} posts, {slides} slides 1080x1350, rounds {rounds}")
    print(f"{'what':34} {'ms':>9}  unit")
    for name, value, unit in rows:
        print(f"{name:34} {value:9.1f}  {unit}")
    png_ratio = rows[2][1] / rows[4][1]
    print(f"{'PNG slide / PNG floor':34} {png_ratio:9.2f}  x")
    print(f"{'fresh process: Django + imports':34} {cold[0] * 1000:9.1f}  ms")
    print(f"{'fresh process: first slide':34} {cold[2] * 1000:9.1f}  ms after imports, fonts unread")
    print(f"{'fresh worker: warm-up':34} {warmed[1] * 1000:9.1f}  ms as the process starts")
    print(f"{'fresh worker: first slide':34} {warmed[2] * 1000:9.1f}  ms after warm-up")
    print(f"{'fresh process: whole carousel':34} {cold[3] * 1000:9.1f}  ms incl. start-up")
    print(f"{'fresh process: peak RSS':34} {cold[5]:9.1f}  MB ({cold[5] - cold[4]:.1f} MB above start-up)")
    print(f"{'slide at scale 3 (3240x4050)':34} {scale_three:9.1f}  MB peak RSS above the warm process")
    print(f"{'PNG size, median slide':34} {statistics.median(len(f.content) for f in png) / 1024:9.1f}  KB")


if __name__ == "__main__":
    main()
