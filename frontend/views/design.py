"""The visual editor and Carousel Studio: the pages that hold the
style and slide controls (their scripts do the rest through the API)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.authentication import signed_in_user
from frontend.views.common import images_to_add_notes
from rendering import jobs
from threads import selectors
from threads.arrangement import SLIDE_TEXT_LIMIT
from threads.style import CANVAS_SIZES, FONTS, RANGES, default_style


@login_required
def thread_editor(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The visual editor: style panels, the server's own render as the
    preview, presets and quick export (frontend/static/frontend/editor.js)."""
    user = signed_in_user(request)
    thread = selectors.thread_list(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    presets = [
        {"id": preset.pk, "name": preset.name, "style": preset.style, "builtin": preset.is_builtin}
        for preset in selectors.presets_visible_to(user=user)
    ]
    config = {
        "thread": thread.pk,
        "style": default_style(),
        "presets": presets,
        "watermarkForced": user.plan.watermark_forced,
        "maxScale": user.plan.max_scale,
        "urls": {
            "preview": reverse("rendering-api:preview"),
            "jobs": reverse("rendering-api:job-list"),
            "presets": reverse("threads-api:preset-list"),
            "exports": reverse("frontend:exports"),
        },
    }
    context = {
        "thread": thread,
        "config": config,
        "fonts": FONTS,
        "sizes": list(CANVAS_SIZES),
        "ranges": style_ranges(),
        "images_to_add": images_to_add_notes(user, [(thread.pk, thread.title)]),
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
    config = {
        "thread": thread.pk,
        "title": thread.title,
        "style": default_style(),
        "posts": posts,
        "presets": [
            {"id": preset.pk, "name": preset.name, "style": preset.style}
            for preset in selectors.presets_visible_to(user=user)
        ],
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
