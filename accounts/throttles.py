"""Rate limits: the plan's requests a minute for the API, the previews'
budgets per user, and the abuse limits on signing in, creating tokens and
signing up.

Every abuse limit is counted against the client's real address, found once per
request by `ClientAddressMiddleware` from `TRUSTED_PROXIES`: a client can
send any `X-Forwarded-For` it likes, so the header is believed only as far
as it was written by proxies we run.

The abuse limits are fixed windows in Redis, one round trip a check (a Lua
script does INCR and sets the expiry of a new window at once). Without
Redis (the embedded defaults of `./dev run`) they live in the Django cache.

- Failed sign-ins (website, admin and the token endpoint all go through
  `django.contrib.auth.authenticate`) count per account and address, per
  account and per address; past a limit `LockoutBackend` refuses even the
  right password, and the answer is 429 with Retry-After.
- Token creation and sign-up count every attempt per address.
- Previews count per user in the same fixed windows, apart from the API's
  requests a minute (see `preview_budgets`).
"""

import hashlib
import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass
from functools import cache as memoized
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from accounts.models import User
from config.redis_client import redis_client

logger = logging.getLogger(__name__)

# --- The client's address ---------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TrustedProxies:
    """Who may write X-Forwarded-For: a count of proxies in front of the app
    (each appends the address it saw), or the networks our proxies are in."""

    count: int = 0
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "TrustedProxies":
        text = text.strip()
        if not text:
            return cls()
        if text.isascii() and text.isdigit():
            return cls(count=int(text))
        try:
            return cls(networks=tuple(ipaddress.ip_network(part.strip()) for part in text.split(",")))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES must be a number of proxies or a list of networks (CIDR): {error}"
            ) from None

    def trusts(self, address: Address) -> bool:
        return any(address in network for network in self.networks)

    def client(self, remote_addr: str, forwarded_for: str) -> str:
        """The address of the client, read from the right of the chain of
        hops (what the proxies appended) and never further left than the
        proxies we trust go."""
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()] if forwarded_for else []
        chain = [*hops, remote_addr]
        if self.count:
            return canonical(chain[max(len(chain) - 1 - self.count, 0)]) or canonical(remote_addr)
        if not self.networks:
            return canonical(remote_addr)
        client = canonical(remote_addr)
        for hop in reversed(chain):
            address = parsed(hop)
            if address is None:
                break  # written by the client itself: stop at the last hop we could read
            client = str(address)
            if not self.trusts(address):
                break
        return client


def parsed(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def canonical(text: str) -> str:
    address = parsed(text)
    return str(address) if address else ""


class ClientAddressMiddleware:
    """Puts the client's real address in REMOTE_ADDR and drops
    X-Forwarded-For, so nothing after it (DRF's throttles, allauth, the
    admin, logs) can be fooled by the header."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.proxies = TrustedProxies.parse(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        forwarded = meta.pop("HTTP_X_FORWARDED_FOR", "")
        remote = meta.get("REMOTE_ADDR", "")
        meta["REMOTE_ADDR"] = self.proxies.client(remote, forwarded) or remote
        response: HttpResponse = self.get_response(request)
        return response


def client_ip(request: HttpRequest | Request) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


# --- Counting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "10/15m": ten in a window of fifteen minutes."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\w*\s*", text)
        if not match or int(match[1]) < 1 or match[2] == "0":
            raise ImproperlyConfigured(f"a rate is 'N/period' such as '10/m' or '5/15m', not {text!r}")
        return cls(int(match[1]), int(match[2] or 1) * cls.UNITS[match[3]])

    def described(self, things: str) -> str:
        """ "600 previews a minute", "4 previews in 10 s"."""
        period = {1: "a second", 60: "a minute", 3600: "an hour", 86400: "a day"}.get(self.seconds)
        return f"{self.limit} {things} {period or f'in {self.seconds} s'}"


@dataclass(frozen=True)
class Count:
    hits: int
    resets_in: float  # seconds


# INCR, and on the window's first hit its expiry; the count and the time left.
HIT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}
"""
PEEK = """
return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}
"""


class RedisCounter:
    def __init__(self, url: str) -> None:
        self.client = redis_client(url)
        self.hit_script = self.client.register_script(HIT)
        self.peek_script = self.client.register_script(PEEK)

    def count(self, key: str, seconds: int, *, hit: bool) -> Count:
        if hit:
            hits, ttl = self.hit_script(keys=[key], args=[seconds * 1000])
        else:
            hits, ttl = self.peek_script(keys=[key])
        return Count(int(hits), max(int(ttl), 0) / 1000)


class CacheCounter:
    """For a single process without Redis: not atomic across processes."""

    def count(self, key: str, seconds: int, *, hit: bool) -> Count:
        now = time.time()
        hits, ends = cache.get(key) or (0, now + seconds)
        if ends <= now:
            hits, ends = 0, now + seconds
        if hit:
            hits += 1
            cache.set(key, (hits, ends), math.ceil(ends - now))
        return Count(hits, ends - now)


@memoized
def counter_for(url: str) -> RedisCounter | CacheCounter:
    return RedisCounter(url) if url else CacheCounter()


@memoized
def rate_of(text: str) -> Rate:
    return Rate.parse(text)


def counted(rule: str, ident: str, rate: Rate, *, hit: bool) -> Count | None:
    """The window's count for `rule` and `ident` (an address, an account,
    or both), after one more hit if `hit`. None when the counter can't be
    reached: limits fail open rather than lock everyone out."""
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"{settings.RATE_LIMIT_PREFIX}{rule}:{digest}"
    try:
        return counter_for(settings.RATE_LIMIT_REDIS_URL).count(key, rate.seconds, hit=hit)
    except redis.RedisError as error:
        logger.warning("rate limit %s not counted: %s", rule, error)
        return None


def over(rule: str, ident: str, *, hit: bool, rate: Rate | None = None) -> float:
    """Seconds until `ident` may try again under `rule` (its rate from
    RATE_LIMITS unless given); 0 when it may now. With `hit`, this attempt
    counts and the limit-th attempt still passes."""
    rate = rate or rate_of(settings.RATE_LIMITS[rule])
    count = counted(rule, ident, rate, hit=hit)
    if count is None or count.hits < rate.limit + (1 if hit else 0):
        return 0.0
    return max(count.resets_in, 1.0)


# --- Signing in: website, admin and token endpoint ---------------------------------------


def login_keys(request: HttpRequest, account: str) -> list[tuple[str, str]]:
    ip = client_ip(request)
    account = account.strip().lower()
    keys = [("login-ip", ip)]
    if account:
        keys += [("login-account-ip", f"{account} {ip}"), ("login-account", account)]
    return keys


def account_of(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or credentials.get("email") or "")


class LockoutBackend:
    """First in AUTHENTICATION_BACKENDS: while an account or an address is
    over its limit of failed sign-ins, it ends `authenticate` before any
    backend checks the password (so the right one is refused too) and marks
    the request for `LoginLockoutMiddleware` to answer 429."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None:
            return None
        wait = max(
            (over(rule, ident, hit=False) for rule, ident in login_keys(request, account_of(credentials)))
        )
        if wait:
            request.login_locked_for = wait  # type: ignore[attr-defined]
            raise PermissionDenied("too many failed sign-ins")
        return None

    def get_user(self, user_id: int) -> Any:
        # Sessions made by `login(request, user)` without a backend (tests'
        # force_login) name the first one: it finds users as ModelBackend does.
        return ModelBackend().get_user(user_id)


@receiver(user_login_failed)
def count_failed_login(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    if request is None or getattr(request, "login_locked_for", None):
        return
    for rule, ident in login_keys(request, account_of(credentials)):
        over(rule, ident, hit=True)


def too_many(request: HttpRequest, wait: float, message: str) -> HttpResponse:
    seconds = math.ceil(wait)
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {"message": message, "code": "throttled", "retry_after": seconds}
        response = JsonResponse(body, status=429)
    else:
        minutes = max(math.ceil(seconds / 60), 1)
        page = render_to_string(
            "429.html", {"message": message, "minutes": minutes, "seconds": seconds}, request=request
        )
        response = HttpResponse(page, status=429)
    response["Retry-After"] = str(seconds)
    return response


LOCKED = "Too many failed sign-ins for this account or from this address; try again later."
SIGNUPS = "Too many sign-ups from this address; try again later."


class LoginLockoutMiddleware:
    """429 with Retry-After for a sign-in refused by LockoutBackend, whatever
    the view made of it (the website's form, the admin's, the token API), and
    for website sign-ups past their limit per address."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.signup_path = reverse("account_signup")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == self.signup_path:
            wait = over("signup-ip", client_ip(request), hit=True)
            if wait:
                return too_many(request, wait, SIGNUPS)
        response: HttpResponse = self.get_response(request)
        locked: float | None = getattr(request, "login_locked_for", None)
        if locked:
            return too_many(request, locked, LOCKED)
        return response


class AddressThrottle(BaseThrottle):
    """Every attempt from one address counts against `rule`."""

    rule = ""

    def allow_request(self, request: Request, view: Any) -> bool:
        self.seconds = over(self.rule, client_ip(request), hit=True)
        return not self.seconds

    def wait(self) -> float | None:
        return self.seconds or None


class SignupThrottle(AddressThrottle):
    rule = "signup-ip"


class TokenCreateThrottle(AddressThrottle):
    rule = "token-ip"


def from_website(request: Request) -> bool:
    """Signed in by the website's session cookie (the editor and the
    studio), not by an API token."""
    return isinstance(request.successful_authenticator, SessionAuthentication)


@dataclass(frozen=True)
class Budget:
    rule: str
    rate: Rate
    allowed_by: str  # who sets it, for the 429's message


def preview_budgets(request: Request, user: User) -> list[Budget]:
    """What a preview or a studio layout counts against: per minute, the
    website's own rate (THROTTLE_PREVIEW: the studio re-renders slides as
    the user types) or, with an API token, the plan's; per day, the plan's
    for both, so previews are no export channel at volume. Never the
    plan's API requests a minute, which the website's autosave, exports
    and job polling need."""
    plan = user.plan
    minute = (
        Budget("preview-site-minute", rate_of(settings.THROTTLE_PREVIEW), "the website allows")
        if from_website(request)
        else Budget("preview-minute", Rate(plan.previews_per_minute, 60), "your plan allows API clients")
    )
    return [minute, Budget("preview-day", Rate(plan.previews_per_day, 86400), "your plan allows")]


class PreviewThrottle(BaseThrottle):
    """Previews (the editor's image, the studio's slides) and studio
    layouts, per user, by `preview_budgets`. Over one: 429 with
    Retry-After and a message naming the limit."""

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, User):
            return True
        for budget in preview_budgets(request, user):
            wait = over(budget.rule, str(user.pk), hit=True, rate=budget.rate)
            if wait:
                raise Throttled(
                    wait, f"Too many previews: {budget.allowed_by} {budget.rate.described('previews')}."
                )
        return True


# --- The plan's requests a minute --------------------------------------------------------


class PlanRateThrottle(UserRateThrottle):
    """Requests per minute for a signed-in user, from their plan. What is
    left is published on every response (see RateLimitHeadersMiddleware).
    Previews and studio layouts are not counted here (PreviewThrottle)."""

    scope = "plan"

    def __init__(self) -> None:
        # The rate depends on the user, so it is set per request.
        self.rate = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return True
        self.rate = f"{request.user.plan.api_requests_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        allowed = super().allow_request(request, view)
        limit, window = self.num_requests or 0, self.duration or 60
        oldest = self.history[-1] if self.history else self.now
        request._request.rate_limit = (  # type: ignore[attr-defined]
            limit,
            max(limit - len(self.history), 0),
            max(int(oldest + window - self.now + 0.999), 0),
        )
        if not allowed:
            raise Throttled(
                self.wait(), f"Too many requests: your plan allows {limit} API requests a minute."
            )
        return True


class RateLimitHeadersMiddleware:
    """X-RateLimit-Limit (requests a minute on the plan), -Remaining (left in
    the current minute) and -Reset (seconds until one more is free) on
    every API response to a signed-in caller; 429s also carry Retry-After."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        limit = getattr(request, "rate_limit", None)
        if limit is not None:
            for name, value in zip(("Limit", "Remaining", "Reset"), limit, strict=True):
                response[f"X-RateLimit-{name}"] = str(value)
        return response


# --- Trying the editor before signing up ------------------------------------------------


def trial_preview_wait(request: HttpRequest) -> tuple[float, str]:
    """Seconds a visitor's address must wait for its next trial preview (0:
    none) and the limit it is over: THROTTLE_TRIAL_PREVIEW a minute and
    THROTTLE_TRIAL_PREVIEW_DAY a day, per address (visitors have no account)."""
    ip = client_ip(request)
    for rule, setting in (
        ("trial-preview-ip", settings.THROTTLE_TRIAL_PREVIEW),
        ("trial-preview-ip-day", settings.THROTTLE_TRIAL_PREVIEW_DAY),
    ):
        rate = rate_of(setting)
        wait = over(rule, ip, hit=True, rate=rate)
        if wait:
            return wait, f"Too many previews: trying it out allows {rate.described('previews')} per address."
    return 0.0, ""
