"""Account pages through Django's test client: API keys, plan, presets."""

import pytest

from accounts.models import ApiToken, MonthlyUsage, month_start
from threads.models import StylePreset

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_a_new_token_shows_its_secret_once_and_works(signed_in, alice, api):
    created = signed_in.post("/api-keys/tokens/", {"name": "laptop"})
    page = created.content.decode()
    secret = page.split("data-secret>")[1].split("<")[0]
    again = signed_in.get("/api-keys/").content.decode()

    assert created["Cache-Control"] == "no-store"
    assert ApiToken.objects.get(user=alice).name == "laptop"
    assert secret not in again
    assert "laptop" in again
    assert api.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_revoking_a_token_stops_it_and_others_tokens_are_out_of_reach(signed_in, alice, bob):
    from accounts.services import token_create

    mine, _ = token_create(user=alice, name="mine")
    theirs, _ = token_create(user=bob, name="theirs")

    other = signed_in.post(f"/api-keys/tokens/{theirs.pk}/revoke/")
    asked = signed_in.get(f"/api-keys/tokens/{mine.pk}/")
    kept = list(ApiToken.objects.order_by("name").values_list("name", flat=True))
    revoked = signed_in.post(f"/api-keys/tokens/{mine.pk}/revoke/")

    assert other.status_code == 404
    assert asked.status_code == 200
    assert "401 Unauthorized" in asked.content.decode()
    assert kept == ["mine", "theirs"], "asking revokes nothing"
    assert revoked.status_code == 302
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["theirs"]


def test_a_token_needs_a_name(signed_in):
    response = signed_in.post("/api-keys/tokens/", {"name": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_plan_page_shows_both_plans_and_this_months_use(signed_in, alice):
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=7)

    page = signed_in.get("/plan/").content.decode()

    assert "7</strong> of 50 exports used" in page
    assert "Pro" in page
    assert "2,000 exports a month" in page


def test_presets_page_lists_and_deletes_only_ones_own(signed_in, alice, bob):
    mine = StylePreset.objects.create(owner=alice, name="Mine", style={"version": 1})
    theirs = StylePreset.objects.create(owner=bob, name="Theirs", style={"version": 1})
    builtin = StylePreset.objects.filter(owner=None).first()

    page = signed_in.get("/presets/").content.decode()
    assert signed_in.post(f"/presets/{theirs.pk}/delete/").status_code == 404
    assert signed_in.post(f"/presets/{builtin.pk}/delete/").status_code == 404
    assert signed_in.post(f"/presets/{mine.pk}/delete/").status_code == 302

    assert "Mine" in page
    assert "Theirs" not in page
    assert builtin.name in page
    assert set(StylePreset.objects.filter(name__in=["Mine", "Theirs"]).values_list("name", flat=True)) == {
        "Theirs"
    }
    assert StylePreset.objects.filter(pk=builtin.pk).exists()


@pytest.mark.parametrize("path", ["/api-keys/", "/plan/", "/presets/", "/exports/", "/threads/1/studio/"])
def test_account_pages_need_a_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_search_and_delete(signed_in, alice, bob):
    from tests.factories import thread_with_posts
    from threads.models import Thread

    keep = thread_with_posts(alice, "x", title="Gardening notes")
    drop = thread_with_posts(alice, "y", title="Old draft")
    theirs = thread_with_posts(bob, "z", title="Bob's")

    found = signed_in.get("/dashboard/", {"q": "garden"}).content.decode()
    assert signed_in.post(f"/threads/{drop.pk}/delete/").status_code == 302
    assert signed_in.post(f"/threads/{theirs.pk}/delete/").status_code == 404

    assert "Gardening notes" in found
    assert "Old draft" not in found
    assert set(Thread.objects.values_list("pk", flat=True)) == {keep.pk, theirs.pk}


def test_the_landing_examples_are_drawn_by_the_renderer(client):
    import io

    from PIL import Image

    card = client.get("/examples/1.png")
    slide = client.get("/examples/2.png")

    assert card["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(card.content)).width == 600
    assert Image.open(io.BytesIO(slide.content)).size == (1080, 1080)
    assert client.get("/examples/3.png").status_code == 404


def test_the_api_page_adds_webhooks_and_shows_their_deliveries(signed_in, alice):
    from webhooks.models import Delivery, Endpoint

    added = signed_in.post("/api-keys/webhooks/", {"url": "https://127.0.0.1/hook"})
    refused = signed_in.post("/api-keys/webhooks/", {"url": "ftp://example.com"})
    hook = Endpoint.objects.get()
    Delivery.objects.create(
        endpoint=hook, event="job.succeeded", payload={}, status="succeeded", answer="2xx"
    )
    page = signed_in.get("/api-keys/").content.decode()
    signed_in.post(f"/api-keys/webhooks/{hook.pk}/delete/")

    assert added.status_code == 302
    assert refused.status_code == 400
    assert "Address must be an https:// address." in refused.content.decode()
    assert "https://127.0.0.1/hook" in page
    assert "job.succeeded" in page
    assert "<td>2xx</td>" in page
    assert not Endpoint.objects.exists()
