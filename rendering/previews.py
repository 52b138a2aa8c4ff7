"""The editor's preview: one card or slide, rendered now, cached by what it
shows (the same thread, style, page and plan give the same bytes)."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from config.errors import Invalid
from rendering import adapters
from rendering.engine import renderer
from rendering.jobs import (
    JobRequest,
    as_exported,
    checked_arrangement,
    checked_placeholders,
    checked_scale,
    chosen_style,
)
from rendering.models import Job
from threads.importers import InvalidImport, import_json
from threads.models import Thread
from threads.selectors import thread_details


def preview(
    *,
    user: User,
    thread_id: int | None,
    thread_data: Any,
    kind: str,
    page: int,
    preset: int | None,
    style: dict[str, Any] | None,
    fmt: str,
    carousel: dict[str, Any] | None = None,
    placeholders: str = Job.Placeholders.KEEP,
    scale: int,
) -> tuple[renderer.RenderedPage, str]:
    """The page and its content hash (the ETag)."""
    plan = user.plan
    checked_scale(scale, plan.max_scale)
    checked_placeholders(placeholders)
    chosen, _ = chosen_style(user, JobRequest(kind=kind, threads=(), format=fmt, preset=preset, style=style))
    thread = None
    if thread_id is not None:
        thread = thread_details(user=user).filter(pk=thread_id).first()
        if thread is None:
            raise Invalid(f"you have no thread {thread_id}.", field="thread")
        if not thread.posts.all():
            raise Invalid(f"thread {thread_id} has no posts to show.", field="thread")
        content = describe_stored(thread)
        arrangement = checked_arrangement(carousel, kind, [thread.pk])
    else:
        try:
            imported = import_json(thread_data)
        except InvalidImport as error:
            suffix = "" if error.field in (None, "content") else f".{error.field}"
            raise Invalid(error.message, field=f"thread_data{suffix}") from error
        content = {"inline": json.dumps(thread_data, sort_keys=True, ensure_ascii=False)}
        if carousel:
            raise Invalid("choosing posts works for stored threads.", field="carousel")
        arrangement = {}
    key_material = {
        "content": content,
        "style": chosen,
        "kind": kind,
        "page": page,
        "format": fmt,
        "scale": scale,
        "watermark": plan.watermark_forced,
        "arrangement": arrangement,
        "placeholders": placeholders,
    }
    digest = hashlib.sha256(json.dumps(key_material, sort_keys=True, default=str).encode()).hexdigest()
    cache_key = f"preview:{digest}"
    cached = cache.get(cache_key)
    if isinstance(cached, renderer.RenderedPage):
        return cached, digest
    data = as_exported(
        adapters.input_from_thread(thread) if thread is not None else adapters.input_from_imported(imported),
        kind=kind,
        arrangement=arrangement,
        placeholders=placeholders,
    )
    try:
        rendered = renderer.render_page(
            data=data,
            style=chosen,
            kind=kind,
            page=page,
            fmt=fmt,
            scale=scale,
            watermark_forced=plan.watermark_forced,
            limits=adapters.render_limits(),
        )
    except renderer.RenderRefused as error:
        raise Invalid(error.message, field=error.field) from error
    cache.set(cache_key, rendered, settings.PREVIEW_CACHE_SECONDS)
    return rendered, digest


def describe_stored(thread: Thread) -> dict[str, Any]:
    """Everything of a stored thread that shows in its render, without
    reading image files (their stored names change when they do)."""
    return {
        "id": thread.pk,
        "title": thread.title,
        "author": thread.author_name,
        "handle": thread.handle,
        "avatar": thread.avatar.name or "",
        "posts": [
            [post.text, [(image.file.name or "", image.width, image.height) for image in post.images.all()]]
            for post in thread.posts.all()
        ],
    }
