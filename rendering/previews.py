"""The editor's preview: one card or slide, rendered now, cached by what it
shows (the same thread, style, page and plan give the same bytes)."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from brand.selectors import brand_files, brand_identity
from config.errors import Invalid
from rendering import adapters
from rendering.engine import renderer
from rendering.engine.cache import MB, ByteBoundedCache
from rendering.engine.spec import spec_from_style
from rendering.jobs.requests import (
    JobRequest,
    checked_arrangement,
    checked_placeholders,
    checked_scale,
    chosen_style,
    saved_arrangement,
)
from rendering.jobs.single import as_exported
from rendering.models import Job
from threads.importers import ImportedThread, InvalidImport, import_json
from threads.models import Thread
from threads.selectors import thread_details

# Previews this process rendered or fetched lately, by content hash, within
# a byte budget (encoded images: a card is ~60 KB, a slide ~150 KB). An
# undo, a slider dragged back or a page turned back is answered from here
# without a round trip to the shared cache, which keeps them for the other
# processes.
RECENT = ByteBoundedCache(32 * MB, lambda page: len(page.content))


@dataclass(frozen=True)
class Asked:
    """A preview request checked: the thread (stored or inline), the style
    chosen, the arrangement that applies and what the render depends on."""

    kind: str
    style: dict[str, Any]
    arrangement: dict[str, Any]
    placeholders: str
    watermark: bool
    content: dict[str, Any]
    thread: Thread | None = None
    imported: ImportedThread | None = None
    # The owner, whose brand kit's logo and font the render draws, and what
    # of them it shows (`brand.selectors.brand_identity`).
    owner: User | None = None
    brand: tuple[tuple[str, str | None], ...] = ()

    def digest(self, **more: Any) -> str:
        """The content hash of what a render of this shows (with `more`)."""
        material = {
            "content": self.content,
            "style": self.style,
            "kind": self.kind,
            "watermark": self.watermark,
            "arrangement": self.arrangement,
            "placeholders": self.placeholders,
            **({"brand": dict(self.brand)} if self.brand else {}),
            **more,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()

    def data(self) -> renderer.RenderInput:
        """The render's input, as an export of it would draw (files read)."""
        if self.thread is not None:
            given = adapters.input_from_thread(self.thread)
        elif self.imported is not None:
            given = adapters.input_from_imported(self.imported)
        else:
            raise ValueError("a preview of no thread")
        data = as_exported(
            given,
            kind=self.kind,
            arrangement=self.arrangement,
            placeholders=self.placeholders,
        )
        if self.owner is None:
            return data
        brand = brand_files(user=self.owner, style=self.style)
        return adapters.with_brand(data, brand)


def asked(
    *,
    user: User,
    thread_id: int | None,
    thread_data: Any,
    kind: str,
    preset: int | None,
    style: dict[str, Any] | None,
    fmt: str,
    carousel: dict[str, Any] | None,
    placeholders: str,
    scale: float,
) -> Asked:
    checked_scale(scale, user.plan.max_scale)
    checked_placeholders(placeholders)
    chosen, _ = chosen_style(user, JobRequest(kind=kind, threads=(), format=fmt, preset=preset, style=style))

    def made(arrangement: dict[str, Any], content: dict[str, Any], **source: Any) -> Asked:
        return Asked(
            kind=kind,
            style=chosen,
            arrangement=arrangement,
            placeholders=placeholders,
            watermark=user.plan.watermark_forced,
            content=content,
            owner=user,
            brand=tuple(sorted(brand_identity(user=user, style=chosen).items())),
            **source,
        )

    if thread_id is not None:
        thread = thread_details(user=user).filter(pk=thread_id).first()
        if thread is None:
            raise Invalid(f"you have no thread {thread_id}.", field="thread")
        if not thread.posts.all():
            raise Invalid(f"thread {thread_id} has no posts to show.", field="thread")
        arrangement = checked_arrangement(carousel, kind, [thread.pk])
        if not arrangement and kind == Job.Kind.CAROUSEL:
            arrangement = saved_arrangement(thread)
        return made(arrangement, describe_stored(thread), thread=thread)
    try:
        imported = import_json(thread_data)
    except InvalidImport as error:
        suffix = "" if error.field in (None, "content") else f".{error.field}"
        raise Invalid(error.message, field=f"thread_data{suffix}") from error
    if carousel:
        raise Invalid("choosing posts works for stored threads.", field="carousel")
    content = {"inline": json.dumps(thread_data, sort_keys=True, ensure_ascii=False)}
    return made({}, content, imported=imported)


def preview(*, page: int, fmt: str, scale: float, **request: Any) -> tuple[renderer.RenderedPage, str]:
    """The page and its content hash (the ETag). `request`: as `asked`
    takes it."""
    return rendered(asked(fmt=fmt, scale=scale, **request), page=page, fmt=fmt, scale=scale)


def rendered(what: Asked, *, page: int, fmt: str, scale: float) -> tuple[renderer.RenderedPage, str]:
    """The page of a checked request and its content hash, from the caches
    or rendered now."""
    digest = what.digest(page=page, format=fmt, scale=scale)
    recent = RECENT.get(digest)
    if isinstance(recent, renderer.RenderedPage):
        return recent, digest
    cache_key = f"preview:{digest}"
    cached = cache.get(cache_key)
    if isinstance(cached, renderer.RenderedPage):
        RECENT.put(digest, cached)
        return cached, digest
    try:
        made = renderer.render_page(
            data=what.data(),
            style=what.style,
            kind=what.kind,
            page=page,
            fmt=fmt,
            scale=scale,
            watermark_forced=what.watermark,
            limits=adapters.render_limits(),
            layout_key=what.digest(),
        )
    except renderer.RenderRefused as error:
        raise Invalid(error.message, field=error.field) from error
    cache.set(cache_key, made, settings.PREVIEW_CACHE_SECONDS)
    RECENT.put(digest, made)
    return made, digest


def slides(**request: Any) -> list[dict[str, Any]]:
    """What each page of a render shows, laid out and not painted: for
    Carousel Studio's slide control. Post positions are the thread's own;
    `paragraphs` are those (from 1) that begin on the slide, where a manual
    break may go. `request`: as `asked` takes it, at scale 1 (every scale
    lays out alike)."""
    what = asked(fmt="png", scale=1, **request)
    spec = spec_from_style(what.style, kind=what.kind, scale=1, watermark_forced=what.watermark)
    try:
        pages = renderer.laid_out(what.data(), spec, what.kind, adapters.render_limits(), what.digest())
    except renderer.RenderRefused as error:
        raise Invalid(error.message, field=error.field) from error
    return [
        {
            "page": number,
            "role": page.role or what.kind,
            "posts": list(page.posts),
            "slide": page.part or None,
            "text": page.text,
            "paragraphs": [start + 1 for start in page.starts],
            "alt": page.alt,
        }
        for number, page in enumerate(pages, start=1)
    ]


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
