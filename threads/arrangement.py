"""A thread's carousel arrangement (Carousel Studio's choices), version 2:
its one strict validator, used by the thread API, the jobs and the preview,
and its lenient reading for a stored arrangement the posts have outgrown.

    {"version": 2,
     "posts": [3, 1, 2],                      which posts, in which order (empty: all)
     "title": "", "end_text": "",             the cover's title, the end slide's line
     "breaks": [{"post": 2, "paragraph": 3}], a new slide at a post's paragraph (from 1)
     "keep": [4],                             posts never cut across slides
     "slides": [{"post": 2, "slide": 1, "text": "…"},   a slide of a post (from 1) with
                {"post": 2, "slide": 3, "hidden": true}],  its own words, or left out
     "cover": true, "end": true}              whether the cover and end slides show

Version 1 (posts, title and end_text only) reads as version 2. Positions are
the thread's own (from 1); a post's paragraphs are those the renderer
makes (`rendering.engine.layout.blocks.paragraphs`). Replaced words never
change the post. `validate` refuses the first problem with its dotted path
as the field (`carousel.breaks[0].paragraph`), the message going on from it; `fitted` drops what no longer
matches the posts (a post removed, a paragraph joined) rather than refuse
a saved arrangement at export time.
"""

from collections.abc import Sequence
from typing import Any

from config.errors import Invalid
from rendering.engine import renderer
from rendering.engine.layout.blocks import paragraphs

VERSION = 2
KEYS = ("version", "posts", "title", "end_text", "breaks", "keep", "slides", "cover", "end")
TEXT_LIMITS = {"title": 200, "end_text": 300}
SLIDE_TEXT_LIMIT = 5000
MOST_SLIDES_A_POST = 1000


def validate(value: object, paragraph_counts: Sequence[int], *, field: str = "carousel") -> dict[str, Any]:
    """The arrangement checked against a thread whose posts (positions 1…)
    have `paragraph_counts` paragraphs, complete and normalised; {} stays
    {} (no arrangement: every post, as it is)."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"must be an object with {', '.join(KEYS[1:])}.", field=field)
    unknown = [key for key in value if key not in KEYS]
    if unknown:
        raise Invalid(
            f"is not an arrangement setting; {field} takes {', '.join(KEYS)}.",
            field=f"{field}.{unknown[0]}",
        )
    version = value.get("version", 1)
    if version not in (1, VERSION) or isinstance(version, bool):
        raise Invalid(f"must be 1 or {VERSION} (got {version!r}).", field=f"{field}.version")
    count = len(paragraph_counts)
    posts = positions(value.get("posts", []), count, f"{field}.posts")
    if "posts" in value and not posts:
        raise Invalid("choose at least one post.", field=f"{field}.posts")
    texts = {name: text(value.get(name, ""), limit, f"{field}.{name}") for name, limit in TEXT_LIMITS.items()}
    return {
        "version": VERSION,
        "posts": posts,
        **texts,
        "breaks": breaks(value.get("breaks", []), paragraph_counts, f"{field}.breaks"),
        "keep": positions(value.get("keep", []), count, f"{field}.keep"),
        "slides": slides(value.get("slides", []), count, f"{field}.slides"),
        "cover": flag(value.get("cover", True), f"{field}.cover"),
        "end": flag(value.get("end", True), f"{field}.end"),
    }


def fitted(value: dict[str, Any], paragraph_counts: Sequence[int]) -> dict[str, Any]:
    """A stored arrangement (valid when saved) with what no longer matches
    the posts left out: a post removed, a paragraph joined."""
    if not value:
        return {}
    count = len(paragraph_counts)
    exists = range(1, count + 1)
    posts = [position for position in value.get("posts", []) if position in exists]
    kept = {
        **value,
        "version": VERSION,
        "breaks": [
            spot
            for spot in value.get("breaks", [])
            if spot["post"] in exists and 2 <= spot["paragraph"] <= paragraph_counts[spot["post"] - 1]
        ],
        "keep": [position for position in value.get("keep", []) if position in exists],
        "slides": [slide for slide in value.get("slides", []) if slide["post"] in exists],
    }
    kept.pop("posts", None)
    if posts:  # none left (or none chosen): every post, as in the thread
        kept["posts"] = posts
    return validate(kept, paragraph_counts)


def engine_arrangement(value: dict[str, Any]) -> renderer.Arrangement:
    """A validated arrangement as the renderer takes it."""
    return renderer.Arrangement(
        posts=tuple(value.get("posts", ())),
        title=value.get("title", ""),
        end_text=value.get("end_text", ""),
        breaks=tuple((spot["post"], spot["paragraph"]) for spot in value.get("breaks", ())),
        keep=tuple(value.get("keep", ())),
        slides=tuple(
            (slide["post"], slide["slide"], slide.get("text"), slide.get("hidden", False))
            for slide in value.get("slides", ())
        ),
        cover=value.get("cover", True),
        end=value.get("end", True),
    )


# --- Parts --------------------------------------------------------------------


def whole(value: object, low: int, high: int, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"must be a whole number between {low} and {high} (got {value!r}).", field=path)
    return value


def flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false (got {value!r}).", field=path)
    return value


def text(value: object, limit: int, path: str) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"must be text of at most {limit:,} characters.", field=path)
    return value


def listed(value: object, path: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(f"must be a list of {what}.", field=path)
    return value


def positions(value: object, count: int, path: str) -> list[int]:
    """Post positions of the thread, each once."""
    given = listed(value, path, "post positions")
    if given and not count:
        raise Invalid("the thread has no posts to arrange.", field=path)
    found = [whole(item, 1, count, f"{path}[{at}]") for at, item in enumerate(given)]
    for at, position in enumerate(found):
        if position in found[:at]:
            raise Invalid(f"post {position} is listed twice.", field=f"{path}[{at}]")
    return found


def obj(value: object, path: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"must be an object with {', '.join(allowed)}.", field=path)
    for key in value:
        if key not in allowed:
            raise Invalid(f"is not allowed here; {path} takes {', '.join(allowed)}.", field=f"{path}.{key}")
    for key in required:
        if key not in value:
            raise Invalid("is required.", field=f"{path}.{key}")
    return value


def breaks(value: object, paragraph_counts: Sequence[int], path: str) -> list[dict[str, int]]:
    """Manual slide breaks: before a post's paragraph (from 2: the first
    always starts a slide), each once, in reading order."""
    found: list[dict[str, int]] = []
    for at, item in enumerate(listed(value, path, '{"post", "paragraph"} objects')):
        here = f"{path}[{at}]"
        given = obj(item, here, ("post", "paragraph"), ("post", "paragraph"))
        post = whole(given["post"], 1, max(len(paragraph_counts), 1), f"{here}.post")
        most = paragraph_counts[post - 1]
        if most < 2:
            raise Invalid(
                f"post {post} has one paragraph, nowhere to break.",
                field=f"{here}.paragraph",
            )
        spot = {"post": post, "paragraph": whole(given["paragraph"], 2, most, f"{here}.paragraph")}
        if spot in found:
            raise Invalid("this break is listed twice.", field=here)
        found.append(spot)
    return sorted(found, key=lambda spot: (spot["post"], spot["paragraph"]))


def slides(value: object, count: int, path: str) -> list[dict[str, Any]]:
    """Slides of posts with words of their own or left out, each once."""
    found: list[dict[str, Any]] = []
    for at, item in enumerate(listed(value, path, '{"post", "slide", "text", "hidden"} objects')):
        here = f"{path}[{at}]"
        given = obj(item, here, ("post", "slide", "text", "hidden"), ("post", "slide"))
        slide: dict[str, Any] = {
            "post": whole(given["post"], 1, max(count, 1), f"{here}.post"),
            "slide": whole(given["slide"], 1, MOST_SLIDES_A_POST, f"{here}.slide"),
        }
        if "text" in given and given["text"] is not None:
            slide["text"] = text(given["text"], SLIDE_TEXT_LIMIT, f"{here}.text")
        if flag(given.get("hidden", False), f"{here}.hidden"):
            slide["hidden"] = True
        if "text" not in slide and "hidden" not in slide:
            raise Invalid("must give the slide's text or hide it.", field=here)
        if any((other["post"], other["slide"]) == (slide["post"], slide["slide"]) for other in found):
            raise Invalid(f"slide {slide['slide']} of post {slide['post']} is listed twice.", field=here)
        found.append(slide)
    return sorted(found, key=lambda slide: (slide["post"], slide["slide"]))


def paragraph_counts(texts: Sequence[str]) -> list[int]:
    """How many paragraphs each post's text makes, as the renderer cuts it."""
    return [len(paragraphs(text)) for text in texts]
