import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from config.errors import ServiceError
from rendering.adapters import input_from_imported, render_limits
from rendering.engine.renderer import RenderRefused, render
from rendering.engine.vocabulary import FORMATS, KINDS
from threads.importers import import_thread
from threads.models import StylePreset
from threads.services import import_limits
from threads.style import style_validate


def refusal(message: str, field: str | None) -> str:
    """The message with the field it is about in front, unless it names it."""
    if not field or message.startswith(field):
        return message
    return f"{field}: {message}"


class Command(BaseCommand):
    help = "Render a thread (thread JSON or pasted text file) as cards, a thread image or a carousel."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "input", type=Path, help="A thread JSON file or a text file (the app's page works)."
        )
        parser.add_argument("--kind", choices=KINDS, default="carousel")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="png")
        parser.add_argument("--preset", help="A built-in preset's name or slug.")
        parser.add_argument("--style", type=Path, help="A style document (JSON file).")
        parser.add_argument("--scale", type=int, choices=(1, 2, 3), default=1)
        parser.add_argument("--out", type=Path, default=Path("."), help="Folder for the files.")
        parser.add_argument("--no-watermark", action="store_true", help="Leave the watermark off.")
        parser.add_argument(
            "--overlay", action="store_true", help="Draw the layout's boxes over each page (debugging)."
        )

    def handle(
        self,
        *args: Any,
        input: Path,
        kind: str,
        fmt: str,
        preset: str | None,
        style: Path | None,
        scale: int,
        out: Path,
        no_watermark: bool,
        overlay: bool,
        **options: Any,
    ) -> None:
        try:
            thread = import_thread(
                format=self.format_of(input),
                content=input.read_text(encoding="utf-8"),
                limits=import_limits(),
            )
            document = style_validate(self.style_document(preset, style))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        except ServiceError as exc:
            raise CommandError(refusal(exc.message, exc.field)) from exc
        self.stdout.write(f"{thread.title!r} by {thread.author_name or 'unknown'}: {len(thread.posts)} posts")
        try:
            files = render(
                data=input_from_imported(thread),
                style=document,
                kind=kind,
                fmt=fmt,
                scale=scale,
                watermark_forced=not no_watermark,
                progress=self.progress,
                limits=render_limits(),
                overlay=overlay,
            )
        except RenderRefused as exc:
            raise CommandError(exc.message) from exc
        out.mkdir(parents=True, exist_ok=True)
        for file in files:
            (out / file.name).write_bytes(file.content)
        self.stdout.write(f"\n{len(files)} file(s) in {out}: {', '.join(file.name for file in files)}")

    @staticmethod
    def format_of(path: Path) -> str:
        return "json" if path.suffix.lower() == ".json" else "text"

    @staticmethod
    def style_document(preset: str | None, style: Path | None) -> object:
        if style is not None:
            return json.loads(style.read_text(encoding="utf-8"))
        if preset:
            found = StylePreset.objects.filter(owner__isnull=True, name__iexact=preset).first() or (
                StylePreset.objects.filter(owner__isnull=True, slug=preset).first()
            )
            if found is None:
                raise CommandError(f"No built-in preset called {preset!r}.")
            return found.style
        return {}

    def progress(self, done: int, total: int) -> None:
        width = 30
        filled = round(width * done / total)
        bar = "█" * filled + "·" * (width - filled)
        end = "\n" if not sys.stdout.isatty() else ""
        self.stdout.write(f"\r[{bar}] {done}/{total} pages", ending=end)
