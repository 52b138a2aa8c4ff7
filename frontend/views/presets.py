"""The user's saved looks and the built-in ones as a gallery, each shown by
a thumbnail the engine renders; deleting one's own (saving them happens in
the editor, through the API)."""

import hashlib
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from PIL import Image

from accounts.authentication import signed_in_user
from frontend.views.common import isolated
from rendering.engine import renderer
from rendering.engine.layout import PostInfo, ThreadInfo
from threads import selectors, services
from threads.style import style_validate

# What every thumbnail shows: a post slide of a short carousel.
GALLERY_THREAD = ThreadInfo(
    "How this look reads",
    "Ada Writes",
    "adawrites",
    (
        PostInfo(
            "Good design gets out of the way.\n\nThe words come first; the look makes them easy to "
            "read, and a little hard to scroll past. ✨",
            (),
        ),
    ),
)
THUMBNAIL_WIDTH = 360


@login_required
@require_GET
def presets(request: HttpRequest) -> HttpResponse:
    visible = selectors.presets_visible_to(user=signed_in_user(request))
    return render(request, "frontend/presets.html", {"presets": visible})


@login_required
@require_POST
def preset_delete(request: HttpRequest, preset_id: int) -> HttpResponse:
    user = signed_in_user(request)
    # Only one's own: a built-in is not there to delete, like another's.
    preset = selectors.presets_visible_to(user=user).filter(owner=user, pk=preset_id).first()
    if preset is None:
        raise Http404("No such preset of yours.")
    services.preset_delete(preset=preset)
    messages.success(request, f"The preset “{isolated(preset.name)}” was deleted.")
    return redirect("frontend:presets")


@login_required
@require_GET
def preset_thumbnail(request: HttpRequest, preset_id: int) -> HttpResponse:
    """A preset's look as the engine draws it: the gallery's post slide,
    shrunk to a thumbnail; cached by the style's content."""
    user = signed_in_user(request)
    preset = selectors.presets_visible_to(user=user).filter(pk=preset_id).first()
    if preset is None:
        raise Http404("No such preset.")
    style = style_validate(preset.style, field="style")
    forced = user.plan.watermark_forced
    digest = hashlib.sha256(json.dumps([style, forced], sort_keys=True).encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponse(status=304, headers=headers)
    key = f"preset-thumbnail:{digest}"
    content = cache.get(key)
    if content is None:
        content = thumbnail(style, watermark_forced=forced)
        cache.set(key, content, 7 * 24 * 3600)
    return HttpResponse(content, content_type="image/png", headers=headers)


def thumbnail(style: dict, *, watermark_forced: bool) -> bytes:
    page = renderer.render_page(
        data=renderer.RenderInput(GALLERY_THREAD),
        style=style,
        kind="carousel",
        page=2,
        watermark_forced=watermark_forced,
    )
    image = Image.open(io.BytesIO(page.content))
    height = round(image.height * THUMBNAIL_WIDTH / image.width)
    small = image.convert("RGB").resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()
