"""A stand-in for the few endpoints of Stripe's HTTP API that billing
calls, on 127.0.0.1 and a free port, for tests and a browser to talk to.

It reads requests as the `stripe` library sends them (form-encoded bodies
with bracketed keys, `line_items[0][price]=…`; a bearer secret key),
answers with the shapes Stripe documents for customers, Checkout
sessions, portal sessions and subscriptions (errors as
`{"error": {"type", "code", "message", "param"}}`), and keeps every
request it got so a test can check what was asked. A browser sent to a
Checkout or portal session's `url` lands on a small page saying where it is.
"""

import contextlib
import dataclasses
import html
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.billing.stripe_events import SECRET

SECRET_KEY = "sk_test_thread_navigator_standin"
PRICE_MONTHLY = "price_test_pro_monthly"
PRICE_YEARLY = "price_test_pro_yearly"


@dataclasses.dataclass(frozen=True)
class Received:
    method: str
    path: str
    params: dict[str, str]  # the form body's keys as sent: "line_items[0][price]"


class StripeStandIn:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        # Subscriptions GET /v1/subscriptions/<id> answers with; a test puts them here.
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="stripe-standin", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop answering and close the port: Stripe is down."""
        self._server.shutdown()
        self._server.server_close()

    def received(self, method: str, path: str) -> list[Received]:
        with self._lock:
            return [got for got in self.requests if got.method == method and got.path == path]

    def next_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._numbers):04d}"

    def record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    def answer(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        now = int(time.time())
        if method == "POST" and path == "/v1/customers":
            return 200, {
                "id": self.next_id("cus"),
                "object": "customer",
                "created": now,
                "email": params.get("email"),
                "metadata": nested(params).get("metadata", {}),
                "livemode": False,
            }
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self.checkout_session(params, now)
        if method == "POST" and path == "/v1/billing_portal/sessions":
            ident = self.next_id("bps")
            return 200, {
                "id": ident,
                "object": "billing_portal.session",
                "created": now,
                "customer": params.get("customer"),
                "return_url": params.get("return_url"),
                "livemode": False,
                "url": f"{self.url}/portal/{ident}",
            }
        found = re.fullmatch(r"/v1/subscriptions/([\w-]+)", path)
        if method == "GET" and found:
            subscription = self.subscriptions.get(found[1])
            if subscription is None:
                return missing(f"No such subscription: '{found[1]}'", param="id")
            return 200, subscription
        return missing(f"Unrecognized request URL ({method}: {path}).")

    def checkout_session(self, params: dict[str, str], now: int) -> dict[str, Any]:
        ident = self.next_id("cs")
        session = {
            "id": ident,
            "object": "checkout.session",
            "created": now,
            "expires_at": now + 24 * 3600,
            "mode": params.get("mode"),
            "customer": params.get("customer"),
            "client_reference_id": params.get("client_reference_id"),
            "status": "open",
            "payment_status": "unpaid",
            "subscription": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "livemode": False,
            "url": f"{self.url}/checkout/{ident}",
        }
        with self._lock:
            self.sessions[ident] = session
        return session


def missing(message: str, *, param: str | None = None) -> tuple[int, dict[str, Any]]:
    error = {"type": "invalid_request_error", "code": "resource_missing", "message": message}
    return 404, {"error": {**error, **({"param": param} if param else {})}}


def nested(params: dict[str, str]) -> dict[str, Any]:
    """`metadata[user_id]=7` back into {"metadata": {"user_id": "7"}} (one level is all we read)."""
    tree: dict[str, Any] = {}
    for key, value in params.items():
        outer, _, inner = key.partition("[")
        if inner:
            tree.setdefault(outer, {})[inner.rstrip("]")] = value
        else:
            tree[key] = value
    return tree


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>Session {ident}. Nothing is charged here.</p></body></html>"""


def _handler_for(standin: StripeStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            page = re.fullmatch(r"/(checkout|portal)/([\w-]+)", path)
            if page:
                title = "Stripe Checkout" if page[1] == "checkout" else "Stripe customer portal"
                body = PAGE.format(title=f"{title} (test stand-in)", ident=html.escape(page[2]))
                self.send(200, body.encode(), "text/html; charset=utf-8")
                return
            self.api("GET", path, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            self.api("POST", urlsplit(self.path).path, dict(parse_qsl(body, keep_blank_values=True)))

        def api(self, method: str, path: str, params: dict[str, str]) -> None:
            standin.record(Received(method, path, params))
            if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                error = {"type": "invalid_request_error", "message": "Invalid API Key provided."}
                status, answer = 401, {"error": error}
            else:
                status, answer = standin.answer(method, path, params)
            self.send(status, json.dumps(answer).encode(), "application/json")

        def send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Request-Id", f"req_standin_{time.monotonic_ns()}")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test asserts on `standin.requests`

    return Handler


@contextlib.contextmanager
def stripe_running(settings: Any) -> Iterator[StripeStandIn]:
    """The stand-in, with billing's settings pointed at it (pytest-django's
    `settings` fixture puts them back)."""
    standin = StripeStandIn()
    standin.start()
    settings.STRIPE_API_BASE = standin.url
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PRICE_PRO_MONTHLY = PRICE_MONTHLY
    settings.STRIPE_PRICE_PRO_YEARLY = PRICE_YEARLY
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_TIMEOUT = 5
    # As an installation whose Checkout has a domain of its own allows it.
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], standin.url],
    }
    try:
        yield standin
    finally:
        with contextlib.suppress(OSError):
            standin.stop()
