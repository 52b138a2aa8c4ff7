"""Text without the app's structure: numbered posts, else paragraphs.

Numbered posts start with `1/`, `1.`, `1)`, `(1)` or `1/10` at the start of a
line, counting up from 1; a "1." that breaks the count (a list inside a post)
stays text. An optional first line `Name @handle` or `Name (@handle)` names
the author.
"""

import re
from dataclasses import dataclass

from threads.importers.model import ImportedPost
from threads.importers.text_cleanup import tidy_post

MARKER = re.compile(r"^\s*(?:\((?P<paren>\d{1,3})\)|(?P<number>\d{1,3})(?P<shape>/\d{1,3}|[/.)]))(?:\s+|$)")
AUTHOR_LINE = re.compile(r"^(?P<name>[^@\n]{1,100}?)\s+\(?@(?P<handle>\w{1,30})\)?$")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class PlainText:
    author_name: str
    handle: str
    posts: tuple[ImportedPost, ...]


def marker(line: str) -> tuple[int, str] | None:
    """The post number and the marker's shape ("(n)", "n/", "n.", "n)", "n/N")."""
    match = MARKER.match(line)
    if not match:
        return None
    if match.group("paren"):
        return int(match.group("paren")), "(n)"
    shape = match.group("shape")
    return int(match.group("number")), "n/N" if len(shape) > 1 else f"n{shape}"


def numbered_starts(lines: list[str]) -> list[int]:
    """Line indexes where posts 1, 2, 3… begin: in order, no gaps, all
    with the first post's kind of marker (so a "1." list inside a "1/"
    thread stays text)."""
    starts: list[int] = []
    shape = None
    for index, line in enumerate(lines):
        found = marker(line)
        if found and found[0] == len(starts) + 1 and shape in (None, found[1]):
            starts.append(index)
            shape = found[1]
    return starts if len(starts) >= 2 else []


def parse_plain_text(text: str) -> PlainText:
    lines = text.split("\n")
    name, handle = "", ""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    author = AUTHOR_LINE.match(lines[first].strip()) if first is not None else None
    if author and first is not None:
        name, handle = author.group("name").strip(), author.group("handle")
        lines = lines[first + 1 :]
    starts = numbered_starts(lines)
    if starts:
        posts = numbered_posts(lines, starts)
    else:
        posts = [paragraph for paragraph in PARAGRAPH_BREAK.split("\n".join(lines)) if paragraph.strip()]
    texts = [tidy_post(post.split("\n")) for post in posts]
    return PlainText(author_name=name, handle=handle, posts=tuple(ImportedPost(text=t) for t in texts if t))


def numbered_posts(lines: list[str], starts: list[int]) -> list[str]:
    preamble = "\n".join(lines[: starts[0]]).strip()
    posts = [preamble] if preamble else []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        first_line = MARKER.sub("", lines[start], count=1)
        posts.append("\n".join([first_line, *lines[start + 1 : end]]))
    return posts
