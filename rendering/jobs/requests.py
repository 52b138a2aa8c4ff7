"""A job or preview request checked before anything is made: its kind and
format, scale, threads, style and Carousel Studio arrangement, and the
notes the export will carry (images still to add, a deleted font).
`rendering.previews` and `rendering.quotes` check their requests here too."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef

from accounts.models import User
from brand.selectors import font_families, missing_font
from config.errors import Invalid
from rendering.engine.vocabulary import IMAGE_FORMATS, KIND_FORMATS, KINDS, SCALE_WORDS, scale_value
from rendering.models import Job
from threads.arrangement import fitted as arrangement_fitted
from threads.arrangement import paragraph_counts
from threads.arrangement import validate as arrangement_validate
from threads.models import Post, PostImage, StylePreset, Thread
from threads.selectors import presets_visible_to, thread_details, threads_of
from threads.style import default_style, style_validate

# A bulk export puts each thread's files in its own folder: images, or a
# carousel's PDF.
BULK_FORMATS = (*IMAGE_FORMATS, "pdf")


@dataclass(frozen=True)
class JobRequest:
    kind: str
    threads: Sequence[int] | str  # ids, or "all" (bulk)
    format: str
    scale: float = 1
    kinds: Sequence[str] = ()
    preset: int | None = None
    style: dict[str, Any] | None = None
    carousel: dict[str, Any] | None = None
    placeholders: str = Job.Placeholders.KEEP

    def fingerprint(self) -> str:
        body = {
            "kind": self.kind,
            "threads": self.threads if isinstance(self.threads, str) else list(self.threads),
            "format": self.format,
            "scale": self.scale,
            "kinds": list(self.kinds),
            "preset": self.preset,
            "style": self.style,
            "carousel": self.carousel,
        }
        # Only when not the default: a key used before the option existed,
        # sent again with the same body, still finds its job.
        if self.placeholders != Job.Placeholders.KEEP:
            body["placeholders"] = self.placeholders
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CheckedRequest:
    """A job request checked against the user's plan and rows, everything
    resolved: what the job will render, and what it costs."""

    kind: str
    format: str
    kinds: list[str]
    scale: float
    thread_ids: list[int]
    style: dict[str, Any]
    preset: StylePreset | None
    arrangement: dict[str, Any]
    placeholders: str
    watermark_forced: bool

    @property
    def exports(self) -> int:
        """What it is charged: each thread and kind of a bulk export counts once."""
        return len(self.thread_ids) * len(self.kinds) if self.kind == Job.Kind.BULK else 1


def checked_request(*, user: User, request: JobRequest) -> CheckedRequest:
    """`request` checked as creating its job checks it (and quoting it:
    `rendering.quotes`), raising Invalid naming the field; nothing is made."""
    plan = user.plan
    kind, fmt, kinds = checked_kind_and_format(request)
    scale = checked_scale(request.scale, plan.max_scale)
    thread_ids = checked_threads(user, request, plan.bulk_max_threads)
    style, preset = chosen_style(user, request)
    # A carousel without its own arrangement freezes the thread's saved one:
    # a retried job renders the same whatever the Studio saves meanwhile.
    arrangement = checked_arrangement(request.carousel, kind, thread_ids) or shown_arrangement(
        user, kind, thread_ids
    )
    return CheckedRequest(
        kind=kind,
        format=fmt,
        kinds=kinds,
        scale=scale,
        thread_ids=thread_ids,
        style=style,
        preset=preset,
        arrangement=arrangement,
        placeholders=checked_placeholders(request.placeholders),
        watermark_forced=plan.watermark_forced,
    )


def checked_kind_and_format(request: JobRequest) -> tuple[str, str, list[str]]:
    if request.kind not in Job.Kind.values:
        raise Invalid(f"must be one of {', '.join(Job.Kind.values)}.", field="kind")
    if request.kind != Job.Kind.BULK:
        allowed = KIND_FORMATS[request.kind]
        if request.format not in allowed:
            raise Invalid(f"a {request.kind} export is one of {', '.join(allowed)}.", field="format")
        return request.kind, request.format, [request.kind]
    kinds = list(dict.fromkeys(request.kinds or ["carousel"]))
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise Invalid(f"{unknown[0]!r} is not one of {', '.join(KINDS)}.", field="kinds")
    if request.format not in BULK_FORMATS:
        raise Invalid(
            "a bulk export is always one ZIP; choose the format inside it: png, jpeg, webp, "
            "or pdf for carousels.",
            field="format",
        )
    if request.format == "pdf" and kinds != ["carousel"]:
        raise Invalid('pdf is for carousels only; set kinds to ["carousel"].', field="format")
    return request.kind, request.format, kinds


def checked_scale(scale: object, plan_max: int) -> float:
    """`scale` as the engine takes it (an int when whole): one of
    DRAWN_SCALES, up to the plan's maximum (below 1 always)."""
    try:
        value = scale_value(scale)
    except ValueError:
        raise Invalid(f"must be one of {SCALE_WORDS}.", field="scale") from None
    if value > max(plan_max, 1):
        raise Invalid(f"your plan exports at up to {plan_max}×; upgrade for more.", field="scale")
    return value


def checked_threads(user: User, request: JobRequest, plan_bulk_max: int) -> list[int]:
    field = "threads" if request.kind == Job.Kind.BULK else "thread"
    owned = threads_of(user=user)
    if request.threads == "all" and request.kind == Job.Kind.BULK:
        # "All" means the finished ones: a thread still being imported waits.
        ids = list(
            owned.filter(draft=False)
            .order_by("-updated", "-id")
            .values_list("id", flat=True)[: settings.BULK_MAX_THREADS + 1]
        )
    elif isinstance(request.threads, str):
        raise Invalid('give thread ids (or "all" for a bulk export).', field=field)
    else:
        ids = list(dict.fromkeys(request.threads))
    if not ids:
        raise Invalid("no threads to export.", field=field)
    if request.kind != Job.Kind.BULK and len(ids) != 1:
        raise Invalid("one thread per export; use a bulk export for several.", field=field)
    if len(ids) > settings.BULK_MAX_THREADS:
        raise Invalid(f"at most {settings.BULK_MAX_THREADS} threads in one export.", field=field)
    if len(ids) > plan_bulk_max:
        raise Invalid(f"your plan exports at most {plan_bulk_max} threads at once.", field=field)
    found = {
        thread_id: (title, has_posts, draft)
        for thread_id, title, has_posts, draft in owned.filter(id__in=ids)
        .annotate(has_posts=Exists(Post.objects.filter(thread=OuterRef("pk"))))
        .values_list("id", "title", "has_posts", "draft")
    }
    missing = [thread_id for thread_id in ids if thread_id not in found]
    if missing:
        raise Invalid(f"you have no thread {missing[0]}.", field=field)
    drafts = [thread_id for thread_id in ids if found[thread_id][2]]
    if drafts:
        raise Invalid(
            f"thread {drafts[0]} ({found[drafts[0]][0]!r}) is still being imported: its pictures are on "
            "their way. Wait for them, or finish it without them on its page.",
            field=field,
        )
    empty = [thread_id for thread_id in ids if not found[thread_id][1]]
    if empty:
        raise Invalid(f"thread {empty[0]} ({found[empty[0]][0]!r}) has no posts to render.", field=field)
    return ids


def checked_arrangement(value: object, kind: str, thread_ids: Sequence[int]) -> dict[str, Any]:
    """Carousel Studio's choices (`threads/arrangement.py`), checked against
    the thread's posts; {} when none is given (the thread's saved one then
    applies when the export runs)."""
    if value is None or value == {}:
        return {}
    if kind != Job.Kind.CAROUSEL:
        raise Invalid("only carousels can choose and order their posts.", field="carousel")
    texts = Post.objects.filter(thread_id=thread_ids[0]).order_by("position").values_list("text", flat=True)
    return arrangement_validate(value, paragraph_counts(list(texts)))


def shown_arrangement(user: User, kind: str, thread_ids: Sequence[int]) -> dict[str, Any]:
    """The saved arrangement a carousel export without its own will use."""
    if kind != Job.Kind.CAROUSEL:
        return {}
    thread = thread_details(user=user).filter(pk=thread_ids[0]).first()
    return saved_arrangement(thread) if thread is not None else {}


def saved_arrangement(thread: Thread) -> dict[str, Any]:
    """The arrangement saved with `thread` (posts loaded), less what its
    posts have outgrown since."""
    if not thread.arrangement:
        return {}
    return arrangement_fitted(
        thread.arrangement, paragraph_counts([post.text for post in thread.posts.all()])
    )


def checked_placeholders(value: object) -> str:
    if value not in Job.Placeholders.values:
        raise Invalid(f"must be one of {', '.join(Job.Placeholders.values)}.", field="placeholders")
    return str(value)


def chosen_style(user: User, request: JobRequest) -> tuple[dict[str, Any], StylePreset | None]:
    """The style a request asks for, checked for `user`: a style given
    inline may name their fonts; a preset keeps the font it was saved with
    even when they have deleted it since (drawn in Inter, with a warning:
    `font_warnings`)."""
    if request.preset is not None and request.style is not None:
        raise Invalid("give a preset or a style, not both.", field="style")
    families = font_families(user=user)
    if request.preset is not None:
        preset = presets_visible_to(user=user).filter(pk=request.preset).first()
        if preset is None:
            raise Invalid(f"there is no preset {request.preset} you can use.", field="preset")
        return style_validate(preset.style, fonts=[*families, *saved_font(preset)]), preset
    if request.style is not None:
        return style_validate(request.style, fonts=families), None
    return default_style(), None


def saved_font(preset: StylePreset) -> list[str]:
    """The family a preset of the user's own was saved with (checked then
    against their fonts); a built-in preset names built-in families only."""
    font = (preset.style.get("text") or {}).get("font") if isinstance(preset.style, dict) else None
    return [font] if preset.owner_id is not None and isinstance(font, str) else []


def images_to_add(*, user: User, thread_ids: Sequence[int]) -> dict[int, list[int]]:
    """The posts (positions from 1) of `user`'s threads that still have
    images to add (placeholders), for each thread that has any: one query."""
    rows = (
        PostImage.objects.filter(post__thread__owner=user, post__thread_id__in=thread_ids, file="")
        .order_by("post__thread_id", "post__position")
        .values_list("post__thread_id", "post__position")
        .distinct()
    )
    found: dict[int, list[int]] = {}
    for thread_id, position in rows:
        found.setdefault(thread_id, []).append(position)
    return found


def export_warnings(
    *, user: User, thread_ids: Sequence[int], arrangement: dict[str, Any], placeholders: str, bulk: bool
) -> list[dict[str, Any]]:
    """A job's notes on images still to add: for each thread, in export
    order, the posts the export shows that still have some (the thread's
    own positions, from 1). Kept, they come out as grey boxes nobody meant
    to post, so the owner is told; left out ("drop"), the note says what
    went. Found once, as the job is made, like the style it freezes."""
    found = images_to_add(user=user, thread_ids=thread_ids)
    shown = set(arrangement.get("posts", ()))
    if shown:
        found = {thread_id: [p for p in positions if p in shown] for thread_id, positions in found.items()}
    titles = dict(threads_of(user=user).filter(pk__in=found).values_list("id", "title")) if bulk else {}
    code = (
        Job.WarningCode.IMAGES_LEFT_OUT
        if placeholders == Job.Placeholders.DROP
        else Job.WarningCode.IMAGES_TO_ADD
    )
    return [
        {
            "code": code.value,
            "thread": thread_id,
            "posts": found[thread_id],
            "message": (f"“{titles[thread_id]}”: " if bulk else "")
            + images_to_add_message(found[thread_id], placeholders),
        }
        for thread_id in thread_ids
        if found.get(thread_id)
    ]


def font_warnings(*, user: User, style: dict[str, Any]) -> list[dict[str, Any]]:
    """A note when the style names one of the owner's fonts they have
    deleted since (a preset saved with it): the export is drawn in the
    default family instead of failing."""
    family = missing_font(user=user, style=style)
    if not family:
        return []
    return [
        {
            "code": Job.WarningCode.FONT_MISSING.value,
            "font": family,
            "message": f"The font “{family}” is no longer in your brand kit; this export uses Inter instead.",
        }
    ]


LISTED_POSITIONS = 12  # past that, a message counts the rest: a job's row stays readable


def images_to_add_message(positions: Sequence[int], placeholders: str = Job.Placeholders.KEEP) -> str:
    """The note in words, such as: Posts 1, 3 and 5 still have images to
    add; they export as grey boxes."""
    fate = (
        "they are left out of this export"
        if placeholders == Job.Placeholders.DROP
        else "they export as grey boxes"
    )
    if len(positions) == 1:
        return f"Post {positions[0]} still has images to add; {fate}."
    listed = [str(position) for position in positions[:LISTED_POSITIONS]]
    last = f"{len(positions) - len(listed)} more" if len(positions) > len(listed) else listed.pop()
    return f"Posts {', '.join(listed)} and {last} still have images to add; {fate}."
