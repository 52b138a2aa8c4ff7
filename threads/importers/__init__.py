"""Importers: pasted text or thread JSON in, an `ImportedThread` out.

Plain functions with no request or database; each raises only
`InvalidImport`, naming the field at fault."""

import dataclasses
from typing import Any

from threads.importers.app_text import parse_app_page
from threads.importers.json_thread import parse_json_thread
from threads.importers.model import (
    ImportedImage,
    ImportedPost,
    ImportedThread,
    ImportLimits,
    InvalidImport,
    check_limits,
    title_from,
)
from threads.importers.mojibake import repair_mojibake
from threads.importers.plain_text import parse_plain_text
from threads.importers.text_cleanup import normalize_paste

__all__ = [
    "ImportLimits",
    "ImportedImage",
    "ImportedPost",
    "ImportedThread",
    "InvalidImport",
    "import_json",
    "import_text",
    "import_thread",
    "repair_mojibake",
]

MAX_TEXT_CHARS = 6_000_000


def import_text(content: str, *, limits: ImportLimits = ImportLimits()) -> ImportedThread:
    if not isinstance(content, str):
        raise InvalidImport("must be the pasted text, as a string.", field="content")
    if len(content) > MAX_TEXT_CHARS:
        raise InvalidImport(f"must be at most {MAX_TEXT_CHARS:,} characters.", field="content")
    text = normalize_paste(content)
    if not text.strip():
        raise InvalidImport("Paste the text of a thread: this is empty.", field="content")
    page = parse_app_page(text.split("\n")) or parse_plain_text(text)
    posts = tuple(post for post in page.posts if post.text or post.images)
    if not posts:
        raise InvalidImport("No posts were found in the text.", field="content")
    check_limits(posts, limits)
    return ImportedThread(
        title=title_from(posts),
        author_name=page.author_name,
        handle=page.handle,
        avatar_url=None,
        posts=posts,
    )


def import_json(content: str | dict[str, Any], *, limits: ImportLimits = ImportLimits()) -> ImportedThread:
    thread = parse_json_thread(content, limits)
    check_limits(thread.posts, limits)
    return thread if thread.title else dataclasses.replace(thread, title=title_from(thread.posts))


def import_thread(*, format: str, content: object, limits: ImportLimits = ImportLimits()) -> ImportedThread:
    if format == "text":
        return import_text(content, limits=limits)  # type: ignore[arg-type]
    if format == "json":
        if not isinstance(content, str | dict):
            raise InvalidImport("must be the thread JSON, as an object or a string.", field="content")
        return import_json(content, limits=limits)
    raise InvalidImport('must be "text" or "json".', field="format")
