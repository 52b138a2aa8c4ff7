"""API keys and webhooks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.authentication import signed_in_user
from config.errors import ServiceError
from config.inputs import whole_number
from frontend.forms import TokenForm
from webhooks import services as webhook_services
from webhooks.models import Delivery, Endpoint


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """Create, list and revoke API tokens; a new token's secret shows once."""
    user = signed_in_user(request)
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    secret = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        chosen = request.POST.get("token", "")
        if whole_number(chosen) is not None:
            try:
                account_services.token_revoke(user=user, token_id=int(chosen))
                messages.success(request, "The token was revoked; it no longer works.")
            except ServiceError as exc:
                messages.error(request, exc.message)
        return redirect("frontend:api")
    if form.is_bound and form.is_valid():
        try:
            _, secret = account_services.token_create(user=user, name=form.cleaned_data["name"])
            form = TokenForm()
        except ServiceError as exc:
            form.add_error("name", exc.message)
    hook_error = ""
    if request.method == "POST" and request.POST.get("action") in ("add-hook", "delete-hook"):
        try:
            if request.POST["action"] == "add-hook":
                webhook_services.endpoint_create(owner=user, url=request.POST.get("url", ""))
                messages.success(request, "Webhook added; finished exports will be posted to it.")
            else:
                chosen = request.POST.get("hook", "")
                Endpoint.objects.filter(owner=user, pk=whole_number(chosen) or 0).delete()
            return redirect("frontend:api")
        except ServiceError as exc:
            hook_error = f"{exc.field}: {exc.message}" if exc.field else exc.message
    hooks = Endpoint.objects.filter(owner=user).prefetch_related(
        Prefetch(
            "deliveries", queryset=Delivery.objects.order_by("-created", "-id"), to_attr="all_deliveries"
        )
    )
    context = {
        "form": form,
        "secret": secret,
        "tokens": account_selectors.tokens_for_user(user=user),
        "api_root": request.build_absolute_uri("/api/v1/"),
        "hooks": [(hook, hook.all_deliveries[:5]) for hook in hooks],
        "hook_error": hook_error,
    }
    response = render(request, "frontend/api_keys.html", context)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response
