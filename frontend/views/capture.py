"""Capturing threads from X: the page that hands out the extension and the
bookmarklet, the bookmarklet's receiving window, and the extension's
connect flow (the user allows it, the site makes it an import-only token).

x.com's Content-Security-Policy stops a bookmarklet from calling us, so the
bookmarklet opens `import/x/` and hands the thread over with postMessage;
that page saves it through the API with the session (capture.js)."""

from collections.abc import Collection
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.authentication import signed_in_user
from accounts.models import ApiToken
from config.errors import ServiceError
from frontend.extension import build

# Where X keeps pictures and avatars: the receiving window fetches from
# there the pictures the bookmarklet could not (x.com's CSP may stop it).
X_PICTURES = ["https://pbs.twimg.com", "https://abs.twimg.com"]
TOKEN_NAME = "Browser extension"  # noqa: S105 (the token's name on the API keys page, not a secret)
# The extension's builds (build.TARGETS), by the browsers they are for.
BROWSERS = {"chromium": "Chrome, Edge, Brave", "firefox": "Firefox"}


def receive_csp() -> dict[str, Collection[str] | str]:
    """The site's policy, plus X's picture hosts to fetch and show from."""
    policy = cast("dict[str, Collection[str] | str]", dict(settings.SECURE_CSP))
    for directive in ("connect-src", "img-src"):
        policy[directive] = [*policy.get(directive, []), *X_PICTURES]
    return policy


@require_GET
def extension_page(request: HttpRequest) -> HttpResponse:
    """Get the extension (a ZIP per browser) or drag the bookmarklet."""
    context = {
        "browsers": BROWSERS,
        "bookmarklet": build.bookmarklet(site_url=settings.SITE_URL),
    }
    return render(request, "frontend/capture_extension.html", context)


@require_GET
def extension_download(request: HttpRequest, target: str) -> HttpResponse:
    """The extension for one browser, with this site's address built in."""
    if target not in build.TARGETS:
        raise Http404("No extension for that browser.")
    response = HttpResponse(
        build.extension_zip(target=target, site_url=settings.SITE_URL), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="thread-navigator-{target}.zip"'
    return response


@csp_override(receive_csp())
@require_GET
def receive(request: HttpRequest) -> HttpResponse:
    """The window the bookmarklet opens. Not behind a login: the thread
    must arrive before anything else, since signing in cuts the window off
    from its opener; the page keeps it and resumes after (capture.js)."""
    next_here = reverse("frontend:capture-receive")
    context = {"login_url": f"{reverse('account_login')}?{urlencode({'next': next_here})}"}
    response = render(request, "frontend/capture_receive.html", context)
    # Django's same-origin default would cut this window off from x.com, so
    # the bookmarklet's postMessage would have no window to reach.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def connect_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    context = {"verified": account_selectors.email_verified(user=user), "error": error}
    return render(request, "frontend/capture_connect.html", context, status=status)


@login_required
@require_GET
def connect(request: HttpRequest) -> HttpResponse:
    """Ask before the extension gets a token."""
    return connect_page(request)


@login_required
@require_POST
def connect_allow(request: HttpRequest) -> HttpResponse:
    """Make the extension its import-only token and hand it over in the
    address's fragment, which browsers never send to a server nor log: the
    extension reads it from the tab and closes the tab."""
    try:
        _, key = account_services.token_create(
            user=signed_in_user(request), name=TOKEN_NAME, scope=ApiToken.Scope.IMPORT
        )
    except ServiceError as exc:
        return connect_page(request, error=exc.message, status=exc.status_code)
    response = redirect(f"{reverse('frontend:extension-connect-done')}#token={key}")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def connect_done(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/capture_connected.html")
