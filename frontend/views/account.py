"""API keys and webhooks: the page that lists them, and a view per action.
Revoking a token and removing a webhook each ask first, on a page of their
own that says what stops working (no script needed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.authentication import signed_in_user
from accounts.models import ApiToken, User
from config.errors import ServiceError
from frontend.forms import TokenForm, WebhookForm
from frontend.views.common import isolated
from webhooks import selectors as webhook_selectors
from webhooks import services as webhook_services
from webhooks.models import Endpoint


def api_keys_page(
    request: HttpRequest,
    *,
    form: TokenForm | None = None,
    hook_form: WebhookForm | None = None,
    secret: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    hooks = webhook_selectors.endpoints_with_deliveries(user=user)
    context = {
        "form": form or TokenForm(),
        "hook_form": hook_form or WebhookForm(),
        "secret": secret,
        "tokens": account_selectors.tokens_for_user(user=user),
        "api_root": request.build_absolute_uri("/api/v1/"),
        "hooks": [(hook, hook.all_deliveries[:5]) for hook in hooks],  # type: ignore[attr-defined]  # the Prefetch
    }
    response = render(request, "frontend/api_keys.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_GET
def api_keys(request: HttpRequest) -> HttpResponse:
    """Tokens (a new one's secret shows once) and webhooks."""
    return api_keys_page(request)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """The page with the new token's secret, answered to the POST itself
    rather than redirected to: the secret is kept nowhere (not even in the
    session for one request), only its hash."""
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _, secret = account_services.token_create(
                user=signed_in_user(request), name=form.cleaned_data["name"]
            )
            return api_keys_page(request, secret=secret)
        except ServiceError as exc:
            form.add_error("name", exc.message)
    return api_keys_page(request, form=form, status=400)


def owned_token(user: User, token_id: int) -> ApiToken:
    token = account_selectors.tokens_for_user(user=user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    return token


@login_required
@require_GET
def token_confirm_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = owned_token(signed_in_user(request), token_id)
    context = {"token": token, "action": reverse("frontend:api-token-revoke", args=[token.pk])}
    return render(request, "frontend/token_revoke.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = signed_in_user(request)
    token = owned_token(user, token_id)
    account_services.token_revoke(user=user, token_id=token.pk)
    messages.success(request, f"The token “{isolated(token.name)}” was revoked; it no longer works.")
    return redirect("frontend:api")


@login_required
@require_POST
def endpoint_add(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook_services.endpoint_create(owner=signed_in_user(request), url=form.cleaned_data["url"])
            messages.success(request, "Webhook added; finished exports will be posted to it.")
            return redirect("frontend:api")
        except ServiceError as exc:
            form.refused(exc)
    return api_keys_page(request, hook_form=form, status=400)


def owned_endpoint(user: User, endpoint_id: int) -> Endpoint:
    endpoint = webhook_selectors.endpoints_of(user=user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook.")
    return endpoint


@login_required
@require_GET
def endpoint_confirm_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = owned_endpoint(signed_in_user(request), endpoint_id)
    context = {
        "endpoint": endpoint,
        "deliveries": endpoint.deliveries.count(),
        "action": reverse("frontend:api-webhook-delete", args=[endpoint.pk]),
    }
    return render(request, "frontend/webhook_delete.html", context)


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = owned_endpoint(signed_in_user(request), endpoint_id)
    webhook_services.endpoint_delete(endpoint=endpoint)
    messages.success(request, "The webhook was removed; nothing more is posted to it.")
    return redirect("frontend:api")
