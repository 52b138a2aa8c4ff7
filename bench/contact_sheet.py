"""Contact sheets of carousels: every slide of a thread, small, in a grid,
one sheet per canvas size, to look at composition at a glance.

    .venv/bin/python bench/contact_sheet.py                 # seed + a long thread, fit and centre on
    .venv/bin/python bench/contact_sheet.py --plain         # the default style (fit off, top)
    .venv/bin/python bench/contact_sheet.py --pack --posts 120

Uses the seed page when it is beside the project (../shared/seeds), else the
test fixture. The long thread is made here from a few sentences of our own.
Sheets go to bench/out/contact-<thread>-<size>.png."""

import argparse
import io
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from PIL import Image, ImageDraw

from rendering.adapters import input_from_imported
from rendering.engine.layout import ImageInfo, PostInfo, ThreadInfo
from rendering.engine.renderer import RenderInput, render
from threads.importers import import_text
from threads.style import style_validate

SEED = ROOT.parent / "shared" / "seeds" / "000_d0b8afc84c38f9bc.txt"
FIXTURE = ROOT / "tests" / "threads" / "fixtures" / "app_page_marisol.txt"
OUT = ROOT / "bench" / "out"
SIZES = ("portrait", "square", "landscape", "story")
THUMB = 240
COLUMNS = 8

SENTENCES = (
    "Our bakery ran out of rye flour on the first cold morning of the year.",
    "Nobody had planned for it, so we wrote the problem on the whiteboard and waited.",
    "The starter does not care about deadlines; it rises when the kitchen is warm enough.",
    "Dr. Okafor, who supplies our mill, suggested spelt at 3.5 kg per batch.",
    "It worked better than expected!",
    "Customers asked whether the loaf was new, and we said it was an accident.",
    "Write down what you change, even when the change feels too small to matter.",
    "Is a recipe a promise or a starting point?",
    "We now keep two weeks of flour in the back room, labelled by date.",
    "The lesson was not about flour at all: it was about noticing early.",
)


def long_thread(posts: int) -> RenderInput:
    """`posts` posts of one to nine sentences in one to three paragraphs,
    every fifth with a picture to add; the same thread on every run."""
    chosen = random.Random(7)  # noqa: S311 - a fixed sample, not a secret
    made = []
    for number in range(posts):
        sentences = [chosen.choice(SENTENCES) for _ in range(chosen.choice((1, 1, 2, 3, 5, 9)))]
        cuts = sorted(chosen.sample(range(1, len(sentences)), min(len(sentences) - 1, chosen.randint(0, 2))))
        paragraphs = [
            " ".join(sentences[a:b]) for a, b in zip([0, *cuts], [*cuts, len(sentences)], strict=True)
        ]
        images = (ImageInfo(0, 0, placeholder=True),) if number % 5 == 4 else ()
        made.append(PostInfo("\n\n".join(paragraphs), images))
    thread = ThreadInfo("What a flour shortage taught a small bakery", "Ada Bakes", "adabakes", tuple(made))
    return RenderInput(thread)


def sheet(data: RenderInput, style: dict, label: str) -> Image.Image:
    files = render(data=data, style=style, kind="carousel", fmt="png")
    slides = [Image.open(io.BytesIO(file.content)).convert("RGB") for file in files]
    ratio = slides[0].height / slides[0].width
    cell_w, cell_h = THUMB, round(THUMB * ratio)
    rows = -(-len(slides) // COLUMNS)
    page = Image.new("RGB", (COLUMNS * (cell_w + 8) + 8, rows * (cell_h + 8) + 40), "#e5e7eb")
    ImageDraw.Draw(page).text((8, 12), f"{label}: {len(slides)} slides", fill="#111827")
    for number, slide in enumerate(slides):
        slide.thumbnail((cell_w, cell_h), Image.Resampling.LANCZOS)
        row, column = divmod(number, COLUMNS)
        page.paste(slide, (8 + column * (cell_w + 8), 40 + row * (cell_h + 8)))
    return page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plain", action="store_true", help="the default style: fit off, top")
    parser.add_argument("--pack", action="store_true", help="carousel.pack on")
    parser.add_argument("--posts", type=int, default=40, help="posts in the long thread")
    arguments = parser.parse_args()
    source = SEED if SEED.exists() else FIXTURE
    threads = {
        "seed": input_from_imported(import_text(source.read_text(encoding="utf-8"))),
        "long": long_thread(arguments.posts),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        document: dict = {"canvas": {"size": size}, "carousel": {"pack": arguments.pack}}
        if not arguments.plain:
            document |= {"text": {"fit": "slide"}, "card": {"align": "center"}}
        style = style_validate(document)
        for name, data in threads.items():
            path = OUT / f"contact-{name}-{size}.png"
            sheet(data, style, f"{name}, {size}").save(path)
            print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
