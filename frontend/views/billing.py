"""The plan page's buttons to Stripe: Checkout to buy Pro, the portal to
manage it. Each answers with a 303 to Stripe, or back to the plan page
with the reason in words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.authentication import signed_in_user
from billing import checkout
from billing.services import billing_configured
from config.errors import ServiceError
from frontend.forms import in_words, sentence


def to_stripe(url: str) -> HttpResponse:
    return HttpResponseRedirect(url, status=303)


def plan_url(request: HttpRequest, query: str = "") -> str:
    return request.build_absolute_uri(reverse("frontend:plan") + query)


@login_required
@require_POST
def checkout_start(request: HttpRequest) -> HttpResponse:
    if not billing_configured():
        raise Http404("Billing is not set up here.")
    try:
        url = checkout.checkout_start(
            user=signed_in_user(request),
            interval=request.POST.get("interval", ""),
            success_url=plan_url(request, "?checkout=done"),
            cancel_url=plan_url(request),
        )
    except ServiceError as exc:
        messages.error(
            request, in_words("Billing period", exc.message) if exc.field else sentence(exc.message)
        )
        return redirect("frontend:plan")
    return to_stripe(url)


@login_required
@require_POST
def portal_start(request: HttpRequest) -> HttpResponse:
    if not billing_configured():
        raise Http404("Billing is not set up here.")
    try:
        url = checkout.portal_start(user=signed_in_user(request), return_url=plan_url(request))
    except ServiceError as exc:
        messages.error(request, sentence(exc.message))
        return redirect("frontend:plan")
    return to_stripe(url)
