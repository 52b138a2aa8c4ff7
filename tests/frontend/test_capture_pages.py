"""The pages for capturing threads from X, through Django's test client:
the extension and bookmarklet page and its downloads, the bookmarklet's
receiving window (which must keep its opener), and the extension's connect
flow (consent, then an import-only token handed over in the fragment)."""

import io
import json
import zipfile
from urllib.parse import unquote

import pytest
from django.test import Client

from accounts.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://threads.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def page_of(response) -> str:
    return response.content.decode()


# --- The extension and bookmarklet page ----------------------------------------------


def test_the_page_offers_both_downloads_and_the_bookmarklet_to_anyone(client):
    response = client.get("/extension/")

    assert response.status_code == 200
    page = page_of(response)
    assert "Save threads from X" in page
    assert 'href="/extension/download/chromium.zip"' in page
    assert 'href="/extension/download/firefox.zip"' in page
    assert "Load unpacked" in page
    assert "Load Temporary Add-on" in page
    href = page.split('class="bookmarklet" href="', 1)[1].split('"', 1)[0]
    assert href.startswith("javascript:")
    assert SITE in unquote(href.replace("&amp;", "&")), "the bookmarklet opens this site"


@pytest.mark.parametrize("target", ["chromium", "firefox"])
def test_each_download_is_the_extension_made_for_this_site(client, target):
    response = client.get(f"/extension/download/{target}.zip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="thread-navigator-{target}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["manifest_version"] == 3
    assert SITE in json.dumps(manifest), "the manifest names the site it saves to"


def test_an_unknown_browser_gets_404(client):
    assert client.get("/extension/download/netscape.zip").status_code == 404


def test_the_import_page_links_to_the_extension_page(signed_in):
    assert 'href="/extension/"' in page_of(signed_in.get("/threads/import/"))


# --- The bookmarklet's window -------------------------------------------------------------


def test_the_receiving_window_keeps_its_opener_and_may_fetch_pictures_from_x(client):
    response = client.get("/import/x/")

    assert response.status_code == 200
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert "https://pbs.twimg.com" in policy["connect-src"]
    assert "https://pbs.twimg.com" in policy["img-src"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_other_pages_keep_the_strict_defaults(client):
    response = client.get("/extension/")

    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "twimg" not in response["Content-Security-Policy"]


def test_signed_out_the_window_offers_to_sign_in_and_come_back(client):
    page = page_of(client.get("/import/x/"))

    assert 'href="/accounts/login/?next=%2Fimport%2Fx%2F"' in page
    assert "data-save>" not in page


def test_signed_in_the_window_offers_to_save(signed_in):
    page = page_of(signed_in.get("/import/x/"))

    assert "Save thread" in page
    assert "Sign in to save it" not in page


# --- Connecting the extension ------------------------------------------------------------------


def test_connecting_needs_a_sign_in_and_comes_back_after(client):
    response = client.get("/extension/connect/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/extension/connect/"


def test_the_consent_page_says_what_the_extension_may_do(signed_in):
    page = page_of(signed_in.get("/extension/connect/"))

    assert "Allow the Thread Navigator browser extension to add threads to your account?" in page
    assert "It can add threads and their pictures, nothing else." in page
    assert 'action="/extension/connect/allow/"' in page


def test_allowing_makes_an_import_token_handed_over_in_the_fragment_only(signed_in, alice, bob):
    response = signed_in.post("/extension/connect/allow/")

    assert response.status_code == 302
    path, fragment = response["Location"].split("#", 1)
    assert path == "/extension/connect/done/"
    assert fragment.startswith("token=")
    key = fragment.removeprefix("token=")
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scope) == (alice, "Browser extension", ApiToken.Scope.IMPORT)
    stored = json.dumps(list(ApiToken.objects.values_list("digest", "name")))
    assert key not in stored, "only its hash is kept"

    extension = Client()
    me = extension.get("/api/v1/accounts/me/", headers={"Authorization": f"Token {key}"})
    assert me.status_code == 200
    assert me.json()["email"] == alice.email
    refused = extension.get("/api/v1/jobs/", headers={"Authorization": f"Token {key}"})
    assert refused.status_code == 403
    assert "import" in refused.json()["message"]
    assert not ApiToken.objects.filter(user=bob).exists()


def test_the_token_is_listed_with_the_others_and_revocable(signed_in):
    signed_in.post("/extension/connect/allow/")
    token = ApiToken.objects.get()

    page = page_of(signed_in.get("/api-keys/"))
    assert "Browser extension" in page
    assert f'href="/api-keys/tokens/{token.pk}/"' in page


def test_allowing_is_a_post_with_its_csrf_token(alice):
    careful = Client(enforce_csrf_checks=True)
    careful.force_login(alice)

    assert careful.get("/extension/connect/allow/").status_code == 405
    assert careful.post("/extension/connect/allow/").status_code == 403
    assert not ApiToken.objects.exists()


def test_signed_out_allowing_makes_nothing(client):
    response = client.post("/extension/connect/allow/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ApiToken.objects.exists()


def test_an_unverified_address_is_asked_to_verify_first(client):
    client.force_login(UserFactory(email="new@example.com", email_verified=False))

    consent = page_of(client.get("/extension/connect/"))
    assert "Verify your email address first" in consent
    assert 'action="/extension/connect/allow/"' not in consent
    refused = client.post("/extension/connect/allow/")
    assert refused.status_code == 403
    assert "Verify your email address first" in page_of(refused)
    assert not ApiToken.objects.exists()


def test_the_done_page_says_to_close_the_tab(signed_in):
    page = page_of(signed_in.get("/extension/connect/done/"))

    assert "Connected — you can close this tab" in page
