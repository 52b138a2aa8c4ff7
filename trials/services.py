"""Trying the editor before signing up: a pasted thread kept as a
short-lived draft, its watermarked previews, and its claim by the account
made afterwards."""

import datetime
import json
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.errors import Invalid, NotFound
from rendering import previews
from rendering.engine import renderer
from rendering.engine.vocabulary import KINDS
from threads.importers import ImportedImage, ImportedPost, ImportedThread, import_thread
from threads.models import Thread
from threads.services import import_limits, thread_create, thread_update
from threads.style import default_style, style_validate
from trials.models import TrialDraft

EXPIRED = "Your trial design has expired (drafts are kept for {hours} hours): paste the thread again."
MISSING = "There is no trial design in this browser: paste a thread on the home page to start one."


class DraftGone(NotFound):
    """No draft for this session, or one past its expiry."""


def draft_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.TRIAL_DRAFT_HOURS)


def thread_document(imported: ImportedThread) -> dict[str, Any]:
    """What a draft keeps of a parsed thread: its text and where its
    pictures go (placeholders only: a visitor uploads nothing)."""
    return {
        "title": imported.title,
        "author_name": imported.author_name,
        "handle": imported.handle,
        "posts": [{"text": post.text, "images": len(post.images)} for post in imported.posts],
    }


def imported_from(document: dict[str, Any]) -> ImportedThread:
    return ImportedThread(
        title=document["title"],
        author_name=document["author_name"],
        handle=document["handle"],
        avatar_url=None,
        posts=tuple(
            ImportedPost(text=post["text"], images=(ImportedImage(url=None),) * post["images"])
            for post in document["posts"]
        ),
    )


@transaction.atomic
def trial_draft_create(*, content: object, replacing: str | None = None) -> TrialDraft:
    """A new draft from a paste (the importer's text formats, its limits),
    in place of the session's previous one (`replacing`, its key)."""
    if not isinstance(content, str) or not content.strip():
        raise Invalid("paste the thread's text first.", field="content")
    imported = import_thread(format="text", content=content, limits=import_limits())
    if replacing:
        TrialDraft.objects.filter(key=replacing).delete()
    return TrialDraft.objects.create(
        key=secrets.token_urlsafe(32),
        thread=thread_document(imported),
        style=default_style(),
        expires=draft_expiry(),
    )


def trial_draft_get(*, key: str | None) -> TrialDraft:
    """The session's draft, unclaimed and not expired; `DraftGone` saying
    which it is otherwise."""
    draft = TrialDraft.objects.filter(key=key).first() if key else None
    if draft is None or draft.claimed_thread_id is not None:
        raise DraftGone(MISSING)
    if draft.is_expired:
        raise DraftGone(EXPIRED.format(hours=settings.TRIAL_DRAFT_HOURS))
    return draft


@transaction.atomic
def trial_draft_style(*, key: str | None, style: object) -> TrialDraft:
    """Keep the editor's style with the draft (so a reload shows it)."""
    checked = style_validate(style, field="style")
    draft = trial_draft_get(key=key)
    draft.style = checked
    draft.save(update_fields=["style"])
    return draft


def trial_preview(
    *, key: str | None, kind: object, page: object, style: object
) -> tuple[renderer.RenderedPage, str]:
    """One page of the draft in `style`, through the editor's own preview
    path (rendering.previews), always watermarked as on the free plan, at
    scale 1 as PNG."""
    if kind not in KINDS:
        raise Invalid(f"must be one of {', '.join(KINDS)}.", field="kind")
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 10_000:
        raise Invalid("must be a whole number from 1.", field="page")
    checked = style_validate(style, field="style")
    draft = trial_draft_get(key=key)
    what = previews.Asked(
        kind=str(kind),
        style=checked,
        arrangement={},
        placeholders="keep",
        watermark=True,
        content={"trial": json.dumps(draft.thread, sort_keys=True, ensure_ascii=False)},
        imported=imported_from(draft.thread),
    )
    return previews.rendered(what, page=page, fmt="png", scale=1)


@transaction.atomic
def trial_draft_claim(*, key: str | None, user: User) -> Thread:
    """The draft's thread and style saved to `user`'s account. Once: the
    row is locked, its content wiped and the thread remembered, so a second
    claim (a double submit) answers the same thread."""
    draft = TrialDraft.objects.select_for_update().filter(key=key).first() if key else None
    if draft is not None and draft.claimed_thread_id is not None:
        thread = Thread.objects.filter(pk=draft.claimed_thread_id, owner=user).first()
        if thread is not None:
            return thread
    draft = trial_draft_get(key=key)  # refuses a missing, claimed or expired one
    thread = thread_create(owner=user, imported=imported_from(draft.thread))
    thread = thread_update(thread=thread, changes={}, style_draft=draft.style)
    draft.thread, draft.style, draft.claimed_thread = {}, {}, thread
    draft.save(update_fields=["thread", "style", "claimed_thread"])
    return thread


def trial_drafts_clean_up() -> int:
    """Delete drafts past their expiry (claimed ones included)."""
    deleted, _ = TrialDraft.objects.filter(expires__lte=timezone.now()).delete()
    return deleted
