"""Webhooks cannot be turned against our own network: addresses checked at
save and again at delivery, connections pinned to the checked address, no
redirects followed, no oracle in the log, and no delivery retried for ever."""

import datetime
import ipaddress
import itertools
import json
import socket
import ssl
import time
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from config.errors import Invalid
from rendering import jobs
from tests.factories import thread_with_posts
from tests.workers import wait_for
from webhooks import network, services
from webhooks.models import Delivery, Endpoint

HOOKS = "/api/v1/webhooks/"


@pytest.fixture
def production(settings):
    """Production's rules: https only, public addresses only."""
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    return settings


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def deliver_until_settled(delivery: Delivery, times: int) -> Delivery:
    """Attempt it `times` times, as if every retry were due at once."""
    for _ in range(times):
        Delivery.objects.filter(pk=delivery.pk, status="pending").update(next_attempt=timezone.now())
        services.delivery_attempt(delivery.pk)
    return Delivery.objects.get(pk=delivery.pk)


def literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


# --- Redirects -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_counts_as_a_failed_delivery(as_alice, start_receiver, finished_job):
    first, elsewhere = start_receiver(), start_receiver()
    first.answers = [302]
    first.headers = {"Location": elsewhere.url}
    as_alice.post(HOOKS, {"url": first.url}, format="json")
    finished_job()

    services.delivery_attempt(Delivery.objects.get().pk)

    delivery = Delivery.objects.get()
    assert len(first.requests) == 1
    assert elsewhere.requests == [], "the Location was not followed"
    assert (delivery.status, delivery.answer, delivery.attempts) == ("pending", "3xx", 1)
    assert Endpoint.objects.get().consecutive_failures == 1


# --- Pinning ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_looks_the_host_up_once_and_connects_to_that_address(
    as_alice, receiver, finished_job, monkeypatch
):
    as_alice.post(HOOKS, {"url": f"http://localhost:{receiver.port}/hook"}, format="json")
    finished_job()
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording(host, *args, **kwargs):
        looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)

    services.delivery_attempt(Delivery.objects.get().pk)

    assert looked_up == ["localhost", "127.0.0.1"], "one lookup of the name, then the checked literal"
    assert receiver.requests[0]["headers"]["Host"] == f"localhost:{receiver.port}"
    assert Delivery.objects.get().status == "succeeded"


@pytest.mark.django_db
def test_localhost_is_refused_at_save_in_production(as_alice, receiver, production):
    production.WEBHOOKS_ALLOW_HTTP = True  # the receiver speaks plain HTTP

    response = as_alice.post(HOOKS, {"url": f"http://localhost:{receiver.port}/hook"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["url"]
    assert not Endpoint.objects.exists()


@pytest.mark.django_db
def test_a_name_rebound_to_a_private_address_after_save_is_not_called(
    as_alice, receiver, finished_job, production, monkeypatch
):
    # No DNS server runs here: our resolver answers as a rebinding one would.
    production.WEBHOOKS_ALLOW_HTTP = True
    answers = {"hooks.example": [ipaddress.ip_address("93.184.215.14")]}
    monkeypatch.setattr(network, "resolve", lambda host, port: answers[host])
    saved = as_alice.post(HOOKS, {"url": f"http://hooks.example:{receiver.port}/hook"}, format="json")
    finished_job()

    answers["hooks.example"] = [ipaddress.ip_address("127.0.0.1")]
    services.delivery_attempt(Delivery.objects.get().pk)

    delivery = Delivery.objects.get()
    assert saved.status_code == 201
    assert receiver.requests == []
    assert (delivery.status, delivery.answer, delivery.attempts) == ("pending", "refused", 1)
    assert "127.0.0.1" in delivery.error, "the admin sees why"


@pytest.mark.django_db
def test_tls_names_the_host_and_checks_its_certificate_on_the_pinned_address(
    alice, start_receiver, finished_job, localhost_certificate, monkeypatch
):
    certificate, key = localhost_certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate, key)
    server = start_receiver(tls)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # trust our test certificate, as a CA
    by_name = services.endpoint_create(owner=alice, url=f"https://localhost:{server.port}/hook")
    by_address = services.endpoint_create(owner=alice, url=f"https://127.0.0.1:{server.port}/hook")
    finished_job()

    for delivery in Delivery.objects.all():
        services.delivery_attempt(delivery.pk)

    answers = dict(Delivery.objects.values_list("endpoint_id", "answer"))
    assert answers == {by_name.pk: "2xx", by_address.pk: "no answer"}, "the certificate is for localhost"
    assert "localhost" in server.server_names, "SNI carries the URL's host"
    assert [request["headers"]["Host"] for request in server.requests] == [f"localhost:{server.port}"]


# --- Which addresses ------------------------------------------------------------------

DENIED = [
    "0.0.0.0", "0.1.2.3",  # noqa: S104 -- an address to refuse, not one to bind "10.0.0.1", "100.64.0.1", "100.100.100.200", "100.127.255.254", "127.0.0.1",
    "127.1.2.3", "169.254.169.254", "172.16.0.1", "192.0.0.9", "192.0.0.170", "192.0.2.1", "192.88.99.1",
    "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1",
    "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "::ffff:100.100.100.200", "::ffff:0:7f00:1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
    "64:ff9b::6464:64c8", "64:ff9b:1::808:808", "100::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:2::1", "2001:db8::1", "2002::1", "2002:7f00:1::1", "2002:808:808::1", "3fff::1", "5f00::1",
    "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "ff0e::1",
]  # fmt: skip
ALLOWED = [
    "8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.1", "192.0.1.1", "198.17.255.255",
    "198.20.0.1", "223.255.255.255", "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450::1",
    "::ffff:8.8.8.8", "64:ff9b::808:808",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("address", DENIED)
def test_non_public_addresses_are_refused_at_save(as_alice, production, address):
    response = as_alice.post(HOOKS, {"url": f"https://{literal(address)}/hook"}, format="json")

    assert response.status_code == 400, address
    assert list(response.json()["errors"]) == ["url"]
    assert not Endpoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_accepted(as_alice, production, address):
    response = as_alice.post(HOOKS, {"url": f"https://{literal(address)}/hook"}, format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.django_db
def test_a_name_with_one_private_address_among_public_ones_is_refused(as_alice, production, monkeypatch):
    public, private = ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("10.0.0.1")
    monkeypatch.setattr(network, "resolve", lambda host, port: [public, private])

    response = as_alice.post(HOOKS, {"url": "https://mixed.example/hook"}, format="json")

    assert response.status_code == 400


# --- Which strings ---------------------------------------------------------------------

MALFORMED = [
    "https://[::1/x", "https://[zz]/", "https://[::1]x/", "https://[127.0.0.1]/", "https://exa mple.com/",
    "https://127.0.0.1/a b", " https://127.0.0.1/\thook", "https://127.0.0.1/\x00", "https://127.0.0.1/\x7f",
    "https://127.0.0.1/\r\nX-Injected: 1", "https://127.0.0.1/é", "https://bücher.example/",
    "https://127.0.0.1:99999/", "https://127.0.0.1:abc/", "https://127.0.0.1:0/", "https://127.0.0.1:-1/",
    "https://127.0.0.1:/",
    "https://user:pass@127.0.0.1/", "https://user@127.0.0.1/", "https://@127.0.0.1/",
    "https://127.0.0.1@127.0.0.2/", "https:///hook", "https://", "https:", "127.0.0.1/hook", "//127.0.0.1/",
    "ftp://127.0.0.1/", "file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:6379/_INFO",
    "https://nonexistent.invalid/hook", "https://a..b/", "https://" + "a" * 64 + ".example/",
    "https://127.0.0.1/" + "a" * 2000, "", "   ", 42, None, True, ["https://127.0.0.1/"], {"url": "x"},
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_addresses_are_refused_by_name(as_alice, url):
    response = as_alice.post(HOOKS, {"url": url}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["url"]
    assert response.json()["message"].startswith("url:")
    assert not Endpoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["https://[::1/x", "https://127.0.0.1/a b", "https://nonexistent.invalid/"])
def test_an_update_to_a_malformed_address_is_refused_and_changes_nothing(as_alice, receiver, url):
    hook = as_alice.post(HOOKS, {"url": receiver.url}, format="json").json()

    response = as_alice.patch(f"{HOOKS}{hook['id']}/", {"url": url}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["url"]
    assert Endpoint.objects.get().url == receiver.url


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text().map(lambda text: "https://" + text)))
def test_any_string_is_refused_by_name_or_can_be_sent(text):
    """Never an exception but Invalid naming `url`; what is accepted,
    http.client takes (a path with a space made it raise on every retry)."""
    try:
        url = services.well_formed_url(text)
    except Invalid as refused:
        assert refused.field == "url"
        return
    host, port = network.host_and_port(url)
    parts = urlsplit(url)
    connection = network.PinnedHTTPSConnection(host, port, addresses=[], timeout=1)
    connection.putrequest("POST", network.request_target(parts.path, parts.query))  # buffers; sends nothing


# --- Failures end ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "answer"),
    [
        ("closed port", "no answer"),  # connection refused
        ("https to plain http", "no answer"),  # the sender raises an SSL error
        ("nonexistent.invalid", "no answer"),  # no longer resolves
        ("http://127.0.0.1:9/a b", "refused"),  # saved before the rules: refused at delivery
        ("https://[::1/x", "refused"),
    ],
)
def test_a_failing_endpoint_gives_up_after_the_attempts_and_is_disabled(
    alice, receiver, closed_port, finished_job, settings, address, answer
):
    settings.WEBHOOK_MAX_ATTEMPTS = 6
    settings.WEBHOOK_DISABLE_AFTER = 8
    url = {
        "closed port": f"http://127.0.0.1:{closed_port}/hook",
        "https to plain http": f"https://127.0.0.1:{receiver.port}/hook",
        "nonexistent.invalid": "http://nonexistent.invalid/hook",
    }.get(address, address)
    Endpoint.objects.create(owner=alice, url=url)
    finished_job()
    finished_job()
    first, second = Delivery.objects.order_by("pk")

    first = deliver_until_settled(first, times=10)
    second = deliver_until_settled(second, times=10)

    endpoint = Endpoint.objects.get()
    assert (first.status, first.attempts, first.next_attempt) == ("failed", 6, None)
    assert (second.status, second.attempts) == ("pending", 2), "disabled after 8 in a row"
    assert first.answer == answer
    assert (endpoint.active, endpoint.consecutive_failures) == (False, 8)
    assert endpoint.disabled_reason.startswith("Disabled after 8 failed deliveries in a row")
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_delivery_whose_last_attempt_died_is_failed_not_sent_again(alice, receiver, finished_job, settings):
    Endpoint.objects.create(owner=alice, url=receiver.url)
    finished_job()
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    # What a worker killed during the last attempt leaves: claimed, never recorded.
    Delivery.objects.update(attempts=settings.WEBHOOK_MAX_ATTEMPTS, next_attempt=long_ago)

    resent = services.deliveries_reconcile()
    services.delivery_attempt(Delivery.objects.get().pk)

    delivery = Delivery.objects.get()
    assert resent == 0
    assert (delivery.status, delivery.answer, delivery.attempts) == ("failed", "no answer", 6)
    assert Endpoint.objects.get().consecutive_failures == 1
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_through_a_real_worker_an_address_that_cannot_be_sent_ends_failed(alice, finished_job, cluster):
    # The incident: a URL with a space was claimed, crashed the sender and was
    # sent again by the reconciler 45 times.
    Endpoint.objects.create(owner=alice, url="http://127.0.0.1:9/a b")
    cluster(WEBHOOK_RETRY_BASE="0.2", WEBHOOK_MAX_ATTEMPTS="3", WEBHOOK_TIMEOUT="0.5")

    thread = thread_with_posts(alice, "Through the worker.", title="Worker hook")
    jobs.job_create(user=alice, request=jobs.JobRequest(kind="cards", threads=[thread.pk], format="zip"))
    wait_for(
        lambda: Delivery.objects.filter(status="failed").exists(), timeout=60, what="the delivery to fail"
    )
    time.sleep(3)  # several reconciler rounds

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.answer) == ("failed", 3, "refused")
    assert Endpoint.objects.get().consecutive_failures == 3


# --- What the owner sees ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_log_shows_the_class_of_the_answer_not_the_status_error_or_timing(
    as_alice, client, alice, receiver, closed_port, finished_job, settings
):
    settings.WEBHOOK_DISABLE_AFTER = 2
    settings.WEBHOOK_RETRY_BASE = 10
    answering = as_alice.post(HOOKS, {"url": receiver.url}, format="json").json()
    silent = as_alice.post(HOOKS, {"url": f"http://127.0.0.1:{closed_port}/hook"}, format="json").json()
    receiver.answers, receiver.delay = [503, 418], 1.0
    finished_job()
    finished_job()

    started = timezone.now()
    for delivery in Delivery.objects.order_by("pk"):
        services.delivery_attempt(delivery.pk)
    client.force_login(alice)
    page = client.get("/api-keys/").content.decode()
    logs = {hook["id"]: as_alice.get(f"{HOOKS}{hook['id']}/deliveries/") for hook in (answering, silent)}
    disabled = as_alice.get(f"{HOOKS}{silent['id']}/").json()

    entries = [entry for log in logs.values() for entry in log.json()["results"]]
    assert sorted(entry["answer"] for entry in entries) == ["4xx", "5xx", "no answer", "no answer"]
    fields = {"id", "event", "status", "attempts", "answer", "created", "delivered", "next_attempt"}
    assert all(set(entry) == {*fields, "payload"} for entry in entries)
    # Timestamps are left out: their microseconds may hold any digits.
    hidden = ("created", "delivered", "next_attempt", "payload")
    shown = [json.dumps({k: v for k, v in entry.items() if k not in hidden}) for entry in entries]
    shown += [json.dumps({k: v for k, v in disabled.items() if k != "created"}), page]
    for text, raw in itertools.product(shown, ["503", "418", "Errno", "onnection refused", "HTTP "]):
        assert raw not in text
    assert "Disabled after 2 failed deliveries in a row (last: no answer)" in disabled["disabled_reason"]
    assert "5xx" in page
    slow = Delivery.objects.filter(endpoint_id=answering["id"]).order_by("pk").first()
    assert slow.duration_ms >= 1000, "the admin still sees it"
    wait = (slow.next_attempt - started).total_seconds()
    assert 10 <= wait < 10.5, "the next try counts from the start: it does not tell the 1 s answer"
