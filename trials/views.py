"""The visitor's side of trying the editor: paste, preview, keep the style,
and the claim after signing up. The draft is always the one whose key this
session holds: no URL names a draft."""

import math
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.authentication import signed_in_user
from accounts.throttles import trial_preview_wait
from config.errors import ServiceError
from config.safe_json import Refused, checked_json
from frontend.views import pages
from rendering.engine.vocabulary import KIND_FORMATS, KINDS, SCALES
from trials import services

SESSION_KEY = "trial_draft"


def problem(error: ServiceError) -> JsonResponse:
    message = f"{error.field}: {error.message}" if error.field else error.message
    body = {"message": message, "field": error.field, "code": error.code}
    return JsonResponse(body, status=error.status_code)


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object; `ServiceError` naming the problem."""
    try:
        data = checked_json(request.body)
    except RequestDataTooBig:
        raise ServiceError("the request is too large.", field="body") from None
    except Refused as refused:
        raise ServiceError(refused.message, field=refused.field) from None
    except ValueError as error:
        raise ServiceError(f"is not JSON: {error}.", field="body") from None
    if not isinstance(data, dict):
        raise ServiceError("must be a JSON object.", field="body")
    return data


@require_POST
def trial_start(request: HttpRequest) -> HttpResponse:
    """A paste from the landing page: a new draft (replacing this session's),
    then the editor."""
    content = request.POST.get("content", "")
    try:
        draft = services.trial_draft_create(content=content, replacing=request.session.get(SESSION_KEY))
    except ServiceError as error:
        return pages.landing(request, status=error.status_code, trial_error=error, trial_content=content)
    request.session[SESSION_KEY] = draft.key
    return redirect("frontend:trial-editor")


@require_POST
def trial_preview(request: HttpRequest) -> HttpResponse:
    """One watermarked page of the session's draft; 429 with Retry-After
    past the per-address limits (the editor's client waits it out)."""
    wait, message = trial_preview_wait(request)
    if wait:
        seconds = math.ceil(wait)
        body = {"message": message, "code": "throttled", "retry_after": seconds}
        return JsonResponse(body, status=429, headers={"Retry-After": str(seconds)})
    try:
        data = json_body(request)
        page, digest = services.trial_preview(
            key=request.session.get(SESSION_KEY),
            kind=data.get("kind", "cards"),
            page=data.get("page", 1),
            style=data.get("style"),
        )
    except ServiceError as error:
        return problem(error)
    headers = {
        "ETag": f'"{digest[:32]}"',
        "Cache-Control": "private, no-store",
        "X-Page-Count": str(page.pages),
    }
    return HttpResponse(page.content, content_type=page.content_type, headers=headers)


@require_POST
def trial_style(request: HttpRequest) -> HttpResponse:
    """Keep the editor's style with the session's draft."""
    try:
        data = json_body(request)
        services.trial_draft_style(key=request.session.get(SESSION_KEY), style=data.get("style"))
    except ServiceError as error:
        return problem(error)
    return JsonResponse({"saved": True})


def export_choice(query: Any) -> dict[str, str]:
    """The export the visitor asked for before signing up, if it is one."""
    kind, fmt, scale = query.get("kind", ""), query.get("format", ""), query.get("scale", "1")
    if kind not in KINDS or fmt not in KIND_FORMATS[kind] or scale not in {str(s) for s in SCALES}:
        return {}
    return {"kind": kind, "format": fmt, "scale": scale}


@login_required
@require_http_methods(["GET", "POST"])
def trial_claim(request: HttpRequest) -> HttpResponse:
    """Where sign-up and log-in lead back to: the session's draft becomes a
    thread of the account (once, however often this is asked), then its
    editor continues the export. Only this session's draft can be claimed:
    the key is read from it, never from the request."""
    try:
        thread = services.trial_draft_claim(
            key=request.session.get(SESSION_KEY), user=signed_in_user(request)
        )
    except ServiceError as error:
        context = {"message": error.message}
        return render(request, "frontend/trial_gone.html", context, status=410)
    query = {"claimed": "1", **export_choice(request.GET)}
    return redirect(f"{reverse('frontend:editor', kwargs={'thread_id': thread.pk})}?{urlencode(query)}")


def trial_claim_url(export: dict[str, str] | None = None) -> str:
    return reverse("frontend:trial-claim") + (f"?{urlencode(export)}" if export else "")
