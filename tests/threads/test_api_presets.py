import pytest

from accounts.models import Plan
from threads.builtin_presets import BUILTIN_PRESETS
from threads.models import StylePreset

pytestmark = pytest.mark.django_db

PRESETS = "/api/v1/presets/"


def test_builtins_are_listed_to_everyone_first_and_read_only(as_alice):
    body = as_alice.get(PRESETS, {"page_size": 100}).json()

    builtins = [p for p in body["results"] if p["is_builtin"]]
    assert len(builtins) == len(BUILTIN_PRESETS) >= 8
    assert body["results"][: len(builtins)] == builtins
    builtin = builtins[0]
    assert as_alice.patch(f"{PRESETS}{builtin['id']}/", {"name": "mine now"}).status_code == 403
    assert as_alice.delete(f"{PRESETS}{builtin['id']}/").status_code == 403
    assert StylePreset.objects.get(pk=builtin["id"]).name == builtin["name"]


def test_save_list_edit_and_delete_a_preset(as_alice, alice):
    created = as_alice.post(PRESETS, {"name": "Brand", "style": {"card": {"radius": 12}}})
    assert created.status_code == 201, created.json()
    preset = created.json()
    assert preset["style"]["card"]["radius"] == 12
    assert preset["style"]["card"]["padding"] == 16, "missing keys take the defaults"
    assert preset["is_builtin"] is False

    names = [p["name"] for p in as_alice.get(PRESETS, {"page_size": 100}).json()["results"]]
    assert "Brand" in names

    edited = as_alice.patch(f"{PRESETS}{preset['id']}/", {"name": "Brand 2", "style": {"text": {"size": 20}}})
    assert edited.status_code == 200, edited.json()
    assert edited.json()["name"] == "Brand 2"
    assert edited.json()["style"]["text"]["size"] == 20

    assert as_alice.delete(f"{PRESETS}{preset['id']}/").status_code == 204
    assert not StylePreset.objects.filter(owner=alice).exists()


def test_invalid_style_is_refused_naming_the_field(as_alice):
    response = as_alice.post(PRESETS, {"name": "Bad", "style": {"card": {"radius": 999}}})

    assert response.status_code == 400
    assert "style.card.radius" in response.json()["message"]
    assert not StylePreset.objects.filter(owner__isnull=False).exists()


def test_unknown_style_keys_are_refused(as_alice):
    response = as_alice.post(PRESETS, {"name": "Bad", "style": {"card": {"glow": True}}})

    assert response.status_code == 400
    assert "style.card.glow" in response.json()["message"]


def test_duplicate_name_is_refused(as_alice):
    as_alice.post(PRESETS, {"name": "Brand", "style": {}})

    response = as_alice.post(PRESETS, {"name": "brand", "style": {}})

    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_free_plan_cannot_turn_the_watermark_off(as_alice, alice):
    response = as_alice.post(PRESETS, {"name": "Clean", "style": {"footer": {"watermark": False}}})

    assert response.status_code == 400
    assert "style.footer.watermark" in response.json()["message"]

    alice.plan_id = Plan.PRO
    alice.save()
    assert (
        as_alice.post(PRESETS, {"name": "Clean", "style": {"footer": {"watermark": False}}}).status_code
        == 201
    )
