"""The documented thread JSON:

    {"title"?: str,
     "source_url"?: str,  (the thread's first post, e.g. https://x.com/a/status/1)
     "author": {"name": str, "handle": str, "avatar_url"?: str},
     "posts": [{"id"?: str (the post's id on X: digits),
                "text": str, "images"?: [{"url"?: str, "alt"?: str}]}]}

Strict: unknown keys, wrong types and missing keys are refused naming their
path (`posts[2].text`). Image URLs are recorded, never fetched.
"""

import json
import re
from typing import Any

from config.safe_json import Refused, checked_json
from threads.importers.model import (
    ImportedImage,
    ImportedPost,
    ImportedThread,
    ImportLimits,
    InvalidImport,
    check_post_count,
    check_post_text,
)
from threads.importers.text_cleanup import normalize_paste

HANDLE = re.compile(r"^@?(\w{1,30})$")
POST_ID = re.compile(r"^[0-9]{1,20}$")


def load(content: str | dict[str, Any]) -> Any:
    if not isinstance(content, str):
        return content
    try:
        return checked_json(content)
    except Refused as refused:
        raise InvalidImport(
            refused.message, field=refused.field if refused.field != "body" else "content"
        ) from None
    except json.JSONDecodeError as exc:
        raise InvalidImport(
            f"The JSON is malformed: {exc.msg} (line {exc.lineno}, column {exc.colno}).", field="content"
        ) from exc
    except ValueError as exc:
        raise InvalidImport(f"The JSON is malformed: {exc}.", field="content") from exc


def obj(value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidImport("must be a JSON object.", field=path or "content")
    for key in value:
        if key not in required + optional:
            raise InvalidImport(
                f"is not a known field; allowed: {', '.join(required + optional)}.",
                field=join(path, str(key)),
            )
    for key in required:
        if key not in value:
            raise InvalidImport("is required.", field=join(path, key))
    return value


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def text(value: Any, path: str, *, limit: int | None = None, blank: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidImport("must be a string.", field=path)
    value = normalize_paste(value)
    if not blank and not value.strip():
        raise InvalidImport("must not be empty.", field=path)
    if limit is not None and len(value) > limit:
        raise InvalidImport(f"must be at most {limit:,} characters.", field=path)
    return value


def url(value: Any, path: str) -> str:
    value = text(value, path, limit=2048).strip()
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise InvalidImport("must be an http:// or https:// address.", field=path)
    return value


def image(value: Any, path: str) -> ImportedImage:
    given = obj(value, path, (), ("url", "alt"))
    address = url(given["url"], f"{path}.url") if given.get("url") is not None else None
    return ImportedImage(url=address, alt=text(given.get("alt", ""), f"{path}.alt", limit=1000))


def post(value: Any, index: int, limits: ImportLimits) -> ImportedPost:
    path = f"posts[{index}]"
    given = obj(value, path, ("text",), ("id", "images"))
    body = text(given["text"], f"{path}.text").strip()
    source_id = given.get("id", "")
    if not isinstance(source_id, str) or (source_id and not POST_ID.match(source_id)):
        raise InvalidImport("must be the post's id on X: a string of 1-20 digits.", field=f"{path}.id")
    images = given.get("images", [])
    if not isinstance(images, list):
        raise InvalidImport("must be a list.", field=f"{path}.images")
    check_post_text(index, body, limits, has_images=bool(images))
    if len(images) > limits.max_images_per_post:
        raise InvalidImport(
            f"has {len(images)} images; the limit is {limits.max_images_per_post}.", field=f"{path}.images"
        )
    return ImportedPost(
        text=body,
        images=tuple(image(v, f"{path}.images[{i}]") for i, v in enumerate(images)),
        source_id=source_id,
    )


def parse_json_thread(content: str | dict[str, Any], limits: ImportLimits) -> ImportedThread:
    document = obj(load(content), "", ("author", "posts"), ("title", "source_url"))
    author = obj(document["author"], "author", ("name", "handle"), ("avatar_url",))
    handle = text(author["handle"], "author.handle").strip()
    if not HANDLE.match(handle):
        raise InvalidImport(
            "must be 1-30 letters, digits or underscores, with or without @.", field="author.handle"
        )
    posts = document["posts"]
    if not isinstance(posts, list):
        raise InvalidImport("must be a list.", field="posts")
    check_post_count(len(posts), limits)
    avatar = author.get("avatar_url")
    source = document.get("source_url")
    parsed = tuple(post(value, index, limits) for index, value in enumerate(posts))
    ids = [item.source_id for item in parsed if item.source_id]
    if len(set(ids)) != len(ids):
        raise InvalidImport("Each post's id must appear once.", field="posts")
    return ImportedThread(
        title=text(document.get("title", ""), "title", limit=200).strip(),
        author_name=text(author["name"], "author.name", limit=100, blank=False).strip(),
        handle=handle.lstrip("@"),
        avatar_url=url(avatar, "author.avatar_url") if avatar is not None else None,
        posts=parsed,
        source_url=url(source, "source_url") if source is not None else "",
    )
