"""What every importer returns, and the one error they raise."""

from dataclasses import dataclass

from config.errors import Invalid
from rendering.engine.layout import is_blank


class InvalidImport(Invalid):
    pass


@dataclass(frozen=True)
class ImportedImage:
    url: str | None  # None: a placeholder for an image we do not have
    alt: str = ""


@dataclass(frozen=True)
class ImportedPost:
    text: str
    images: tuple[ImportedImage, ...] = ()
    source_id: str = ""  # the post's id where it came from (X's status id); "" when unknown


@dataclass(frozen=True)
class ImportedThread:
    title: str
    author_name: str
    handle: str  # without the leading @
    avatar_url: str | None
    posts: tuple[ImportedPost, ...]
    source_url: str = ""  # where the thread came from: its first post's address


@dataclass(frozen=True)
class ImportLimits:
    max_posts: int = 500
    max_post_chars: int = 10_000
    max_images_per_post: int = 4


def check_post_count(count: int, limits: ImportLimits) -> None:
    if count > limits.max_posts:
        raise InvalidImport(
            f"A thread can have at most {limits.max_posts} posts (this one has {count}).", field="posts"
        )


def check_post_text(index: int, text: str, limits: ImportLimits, *, has_images: bool = False) -> None:
    """A post's text within the limit, and something to show: a post of
    only spaces or invisible characters (and no picture) would be an empty
    card."""
    if is_blank(text) and not has_images:
        raise InvalidImport(
            f"Post {index + 1} has no text to show (only spaces or invisible characters).",
            field=f"posts[{index}].text",
        )
    if len(text) > limits.max_post_chars:
        raise InvalidImport(
            f"Post {index + 1} is {len(text):,} characters long; the limit is {limits.max_post_chars:,}.",
            field=f"posts[{index}].text",
        )


def check_limits(posts: tuple[ImportedPost, ...], limits: ImportLimits) -> None:
    if not posts:
        raise InvalidImport("No posts were found in what was given.", field="posts")
    check_post_count(len(posts), limits)
    for index, post in enumerate(posts):
        check_post_text(index, post.text, limits, has_images=bool(post.images))
        if len(post.images) > limits.max_images_per_post:
            raise InvalidImport(
                f"Post {index + 1} has {len(post.images)} images; the limit is {limits.max_images_per_post}.",
                field=f"posts[{index}].images",
            )


def title_from(posts: tuple[ImportedPost, ...], *, limit: int = 120) -> str:
    """The first line of the first post, cut at a word boundary."""
    first_line = next((line.strip() for post in posts for line in post.text.splitlines() if line.strip()), "")
    if len(first_line) <= limit:
        return first_line or "Untitled thread"
    cut = first_line[: limit - 1].rsplit(" ", 1)[0] or first_line[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"
