"""The landing page, its example images, the dashboard, the plan page and
house ads."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.authentication import signed_in_user
from accounts.models import Plan
from accounts.selectors import usage_this_month
from billing.checkout import STRIPE_PAGES
from billing.selectors import billing_view
from frontend.models import HouseAd
from frontend.views.common import job_rows
from rendering.engine import renderer
from rendering.engine.layout import PostInfo, ThreadInfo
from rendering.selectors import jobs_of
from threads import selectors
from threads.style import style_validate

EXAMPLE_POSTS = (
    "Five habits that made my writing clearer:\n\n• One idea per sentence\n• Verbs over nouns\n"
    "• Cut the first paragraph\n• Read it aloud\n• Sleep on it 🌙",
    "Writing is rewriting. The first draft tells you what you think; the second tells everyone else.",
)


def example_image(request: HttpRequest, number: int) -> HttpResponse:
    """The landing page's examples, drawn by the renderer itself."""
    if number not in (1, 2):
        raise Http404("No such example.")
    key = f"example-image:{number}"
    content = cache.get(key)
    if content is None:
        thread = ThreadInfo(
            "Write clearer",
            "Ada Writes",
            "adawrites",
            tuple(PostInfo(text, ()) for text in EXAMPLE_POSTS),
        )
        style = style_validate({"canvas": {"size": "square"}} if number == 2 else {})
        kind = "carousel" if number == 2 else "cards"
        page = renderer.render_page(
            data=renderer.RenderInput(thread), style=style, kind=kind, page=1 if number == 1 else 3
        )
        content = page.content
        cache.set(key, content, 24 * 3600)
    response = HttpResponse(content, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("frontend:dashboard")
    return landing(request)


def landing(request: HttpRequest, *, status: int = 200, **more: Any) -> HttpResponse:
    """The landing page; `more`: the trial paste box's error and text
    (trials.views.trial_start)."""
    context = {"plans": Plan.objects.all(), "trial_hours": settings.TRIAL_DRAFT_HOURS, **more}
    return render(request, "frontend/home.html", context, status=status)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    search = request.GET.get("q", "").strip()
    context = {
        "usage": usage_this_month(user=user),
        "search": search,
        "threads": selectors.thread_list(user=user, search=search)[:50],
        "presets": selectors.presets_visible_to(user=user).filter(owner=user)[:10],
        "jobs": job_rows(request, jobs_of(user=user)[:5]),
    }
    return render(request, "frontend/dashboard.html", context)


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "plans": Plan.objects.all(),
        "usage": usage_this_month(user=user),
        "billing": billing_view(user=user),
        # Back from Checkout: the webhook, not this redirect, is what upgrades.
        "checkout_done": request.GET.get("checkout") == "done",
    }
    response = render(request, "frontend/plan.html", context)
    if context["billing"] is not None:
        allow_forms_to_stripe(response)
    return response


def allow_forms_to_stripe(response: HttpResponse) -> None:
    """The page's CSP with Stripe's pages added to form-action: its
    Upgrade and Manage billing forms are answered with a 303 to them."""
    policy: Mapping[str, Any] = settings.SECURE_CSP
    if "form-action" in policy:
        sources = policy["form-action"]
        allowed = [sources] if isinstance(sources, str) else list(sources)
        # What django.views.decorators.csp.csp_override sets, made per request.
        response._csp_config = {**policy, "form-action": [*allowed, *STRIPE_PAGES]}  # type: ignore[attr-defined]


def house_ad_image(request: HttpRequest, ad_id: int) -> FileResponse:
    ad = HouseAd.objects.filter(pk=ad_id, active=True).exclude(image="").first()
    if ad is None:
        raise Http404("No such ad.")
    response = FileResponse(default_storage.open(str(ad.image.name)))
    response["Cache-Control"] = "public, max-age=3600"
    return response
