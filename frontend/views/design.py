"""The visual editor and Carousel Studio: the pages that hold the
style and slide controls (their scripts do the rest through the API)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.authentication import signed_in_user
from accounts.models import Plan, User
from brand.selectors import brand_kit_for, font_families
from frontend.views.common import images_to_add_notes
from rendering import jobs
from rendering.engine.spec import CAROUSEL_ZOOM
from rendering.engine.vocabulary import DRAWN_SCALES, KIND_FORMATS, KINDS, SCALES, output_size
from threads import selectors
from threads.arrangement import SLIDE_TEXT_LIMIT
from threads.models import StylePreset, Thread
from threads.samples import is_sample
from threads.style import FONTS, RANGES, default_style
from trials.services import DraftGone, trial_draft_get
from trials.views import SESSION_KEY, export_choice

# The canvas sizes the editor offers for each kind, in the Size control's
# order. A style may hold another (a preset made for a carousel, shown on
# cards): the control then shows it too, labelled alike.
OFFERED_SIZES: dict[str, tuple[str, ...]] = {
    "cards": ("auto", "square", "portrait"),
    "thread": ("auto",),
    "carousel": ("portrait", "square", "landscape", "story"),
}
SIZE_NAMES = {
    "auto": "Auto height",
    "portrait": "Portrait",
    "square": "Square",
    "landscape": "Landscape",
    "story": "Story",
}
KIND_NAMES = {"cards": "Cards", "thread": "Thread image", "carousel": "Carousel"}


@login_required
def thread_editor(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The visual editor: style panels, the server's own render as the
    preview, presets and quick export (frontend/static/frontend/editor.js)."""
    user = signed_in_user(request)
    thread = selectors.thread_list(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    visible = list(selectors.presets_visible_to(user=user))
    last = last_preset(user, visible)
    presets = [
        {"id": preset.pk, "name": preset.name, "style": preset.style, "builtin": preset.is_builtin}
        for preset in visible
    ]
    max_scale = user.plan.max_scale
    config = {
        "thread": thread.pk,
        "style": starting_style(thread, last),
        "defaultStyle": default_style(),
        "preset": last.pk if last else None,
        "presets": presets,
        "watermarkForced": user.plan.watermark_forced,
        "maxScale": max_scale,
        "kinds": {kind: {"name": KIND_NAMES[kind], "formats": KIND_FORMATS[kind]} for kind in KINDS},
        "sizes": {kind: size_choices(kind) for kind in KINDS},
        # A fixed frame's pixels are CAROUSEL_ZOOM to the editor's CSS pixel.
        "frameZoom": CAROUSEL_ZOOM,
        # The preview is drawn at the first of these that matches the screen.
        "previewScales": DRAWN_SCALES,
        "author": author_of(thread),
        "urls": {
            "preview": reverse("rendering-api:preview"),
            "jobs": reverse("rendering-api:job-list"),
            "presets": reverse("threads-api:preset-list"),
            "thread": reverse("threads-api:thread-detail", kwargs={"pk": thread.pk}),
            "avatar": reverse("threads-api:thread-avatar", kwargs={"pk": thread.pk}),
            "studio": reverse("frontend:studio", kwargs={"thread_id": thread.pk}),
            "exports": reverse("frontend:exports"),
        },
    }
    if request.GET.get("claimed"):
        # Just claimed from a trial (trials.views.trial_claim): go on with the export asked for.
        config["claimed"] = True
        config["continueExport"] = export_choice(request.GET) or None
    kit = brand_kit_for(user=user)
    context = {
        "thread": thread,
        "config": config,
        "fonts": FONTS,
        "own_fonts": font_families(user=user),
        "has_logo": bool(kit and kit.logo),
        "brand_colours": kit.colours if kit else [],
        # The tour starts by itself on a new account's sample thread.
        "tour_auto": is_sample(thread),
        "kinds": [(kind, KIND_NAMES[kind]) for kind in KINDS],
        "scales": [{"value": scale, "allowed": scale <= max_scale} for scale in SCALES],
        "ranges": style_ranges(),
        "images_to_add": images_to_add_notes(user, [(thread.pk, thread.title)]),
    }
    return render(request, "frontend/editor.html", context)


def trial_editor(request: HttpRequest) -> HttpResponse:
    """The visual editor for a visitor's trial draft (trials/): the same
    page and script in trial mode, with no presets saved, no author panel,
    previews from the draft (watermarked) and Export asking to sign up."""
    if request.user.is_authenticated:
        return redirect("frontend:trial-claim")
    try:
        draft = trial_draft_get(key=request.session.get(SESSION_KEY))
    except DraftGone as error:
        messages.info(request, error.message)
        return redirect("frontend:home")
    free = Plan.objects.filter(code=Plan.FREE).first()
    max_scale = free.max_scale if free else 1
    builtins = StylePreset.objects.filter(owner__isnull=True).order_by("name", "id")
    config = {
        "trial": True,
        "thread": None,
        "style": draft.style or default_style(),
        "defaultStyle": default_style(),
        "preset": None,
        "presets": [
            {"id": preset.pk, "name": preset.name, "style": preset.style, "builtin": True}
            for preset in builtins
        ],
        "watermarkForced": True,
        "maxScale": max_scale,
        "kinds": {kind: {"name": KIND_NAMES[kind], "formats": KIND_FORMATS[kind]} for kind in KINDS},
        "sizes": {kind: size_choices(kind) for kind in KINDS},
        "frameZoom": CAROUSEL_ZOOM,
        # A visitor's previews are drawn at 1× only (trials.services.trial_preview).
        "previewScales": [1],
        "author": None,
        "urls": {
            "preview": reverse("frontend:trial-preview"),
            "style": reverse("frontend:trial-style"),
            "claim": reverse("frontend:trial-claim"),
            "signup": reverse("account_signup"),
            "login": reverse("account_login"),
        },
    }
    context = {
        "trial": True,
        "trial_hours": settings.TRIAL_DRAFT_HOURS,
        "thread": draft,
        "config": config,
        "fonts": FONTS,
        "kinds": [(kind, KIND_NAMES[kind]) for kind in KINDS],
        "scales": [{"value": scale, "allowed": scale <= max_scale} for scale in SCALES],
        "ranges": style_ranges(),
    }
    return render(request, "frontend/editor.html", context)


@login_required
def carousel_studio(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Carousel Studio: size, slide strip, cover and end text, which posts
    in which order, slide-level control (the thread's saved arrangement,
    `threads/arrangement.py`), PDF or PNG ZIP (frontend/static/frontend/studio.js)."""
    user = signed_in_user(request)
    thread = selectors.thread_details(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    posts = [{"position": post.position, "text": post.text[:90]} for post in thread.posts.all()]
    visible = list(selectors.presets_visible_to(user=user))
    config = {
        "thread": thread.pk,
        "title": thread.title,
        # Where the editor left off: its draft for this thread, else the
        # preset last applied, else the default.
        "style": starting_style(thread, last_preset(user, visible)),
        "posts": posts,
        "presets": [{"id": preset.pk, "name": preset.name, "style": preset.style} for preset in visible],
        # Fitted: a saved arrangement the posts have outgrown would be
        # refused when the Studio saves it back unchanged.
        "arrangement": jobs.saved_arrangement(thread),
        "slideTextLimit": SLIDE_TEXT_LIMIT,
        "urls": {
            "preview": reverse("rendering-api:preview"),
            "slides": reverse("rendering-api:slides"),
            "jobs": reverse("rendering-api:job-list"),
            "thread": reverse("threads-api:thread-detail", kwargs={"pk": thread.pk}),
        },
        "composition": {key: default_style()["text"][key] for key in ("fit_min", "fit_max")},
    }
    context = {
        "thread": thread,
        "config": config,
        "ranges": style_ranges(),
        "images_to_add": images_to_add_notes(user, [(thread.pk, thread.title)]),
    }
    return render(request, "frontend/studio.html", context)


def style_ranges() -> dict[str, dict[str, float]]:
    """The style's number ranges for the controls' min and max, by the
    setting's path with underscores (`text_fit_min`)."""
    return {name.replace(".", "_"): {"min": low, "max": high} for name, (low, high) in RANGES.items()}


def last_preset(user: User, visible: list[StylePreset]) -> StylePreset | None:
    """The preset the user last applied in the editor, if they still see it."""
    return next((preset for preset in visible if preset.pk == user.last_preset_id), None)


def starting_style(thread: Thread, preset: StylePreset | None) -> dict[str, Any]:
    """The style the editor and the studio open with: the thread's draft,
    else the preset last applied, else the default."""
    if thread.style_draft:
        return thread.style_draft
    return preset.style if preset else default_style()


def size_choices(kind: str) -> list[dict[str, Any]]:
    """The Size control's choices for `kind`, each labelled with the pixels
    an export makes at every scale ("Square · 1080 × 1080 px", at 2×
    "2160 × 2160 px"), from the renderer's own sizes. `offered`: shown
    always; the others only while the style holds them."""
    offered = OFFERED_SIZES[kind]
    others = () if kind == "thread" else tuple(size for size in SIZE_NAMES if size not in offered)
    # A carousel at `auto` is portrait: the control shows that instead.
    sizes = offered + tuple(size for size in others if not (kind == "carousel" and size == "auto"))
    return [
        {
            "value": size,
            "offered": size in offered,
            "labels": {str(scale): size_label(kind, size, scale) for scale in SCALES},
            "pixels": output_size(kind, size, 1),  # [width, height or None] at 1×
        }
        for size in sizes
    ]


def size_label(kind: str, size: str, scale: int) -> str:
    width, height = output_size(kind, size, scale)
    pixels = f"{width} px wide" if height is None else f"{width} × {height} px"
    return f"{SIZE_NAMES[size]} · {pixels}"


def author_of(thread: Thread) -> dict[str, Any]:
    """The Author panel's fields, as the thread API names them."""
    avatar = reverse("threads-api:thread-avatar", kwargs={"pk": thread.pk}) if thread.avatar else None
    return {
        "title": thread.title,
        "author_name": thread.author_name,
        "handle": thread.handle,
        "avatar": avatar,
    }
