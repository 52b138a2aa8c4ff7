"""The editor's state through the thread API: the style draft kept per
thread (validated as a style document), the preset last applied kept per
user, and the avatar removed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import png_bytes, thread_with_posts
from threads.models import StylePreset, Thread
from threads.style import default_style

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "A post to design.", title="Drafted")


def url(thread) -> str:
    return f"/api/v1/threads/{thread.pk}/"


def test_a_draft_is_kept_whole_and_read_back(as_alice, thread):
    response = as_alice.patch(
        url(thread), {"style_draft": {"card": {"radius": 12}, "text": {"font": "Lora"}}}
    )

    assert response.status_code == 200, response.json()
    draft = response.json()["style_draft"]
    assert draft["card"]["radius"] == 12
    assert draft["text"]["font"] == "Lora"
    assert draft["canvas"] == default_style()["canvas"]  # missing keys take the defaults
    thread.refresh_from_db()
    assert thread.style_draft == draft
    assert as_alice.get(url(thread)).json()["style_draft"] == draft


def test_an_empty_object_clears_the_draft(as_alice, thread):
    as_alice.patch(url(thread), {"style_draft": {"card": {"radius": 12}}})

    response = as_alice.patch(url(thread), {"style_draft": {}})

    assert response.status_code == 200
    assert response.json()["style_draft"] == {}
    thread.refresh_from_db()
    assert thread.style_draft == {}


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        ({"text": {"size": 500}}, "style_draft.text.size"),
        ({"card": {"radius": "round"}}, "style_draft.card.radius"),
        (
            {"canvas": {"background": {"type": "linear", "stops": [["#fff", 0.5]]}}},
            "style_draft.canvas.background.stops",
        ),
        ({"text": {"colour": "#000000"}}, "style_draft.text.colour"),
        ({"version": 2}, "style_draft.version"),
        ("not an object", "style_draft"),
        ([1, 2], "style_draft"),
    ],
)
def test_a_bad_draft_is_refused_naming_its_field(as_alice, thread, draft, field):
    as_alice.patch(url(thread), {"style_draft": {"card": {"radius": 12}}})

    response = as_alice.patch(url(thread), {"style_draft": draft})

    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith(f"{field}"), body
    assert field in body["errors"]
    thread.refresh_from_db()
    assert thread.style_draft["card"]["radius"] == 12


def test_the_draft_is_refused_when_it_leaves_no_room_to_draw(as_alice, thread):
    response = as_alice.patch(
        url(thread), {"style_draft": {"canvas": {"padding": 200}, "card": {"padding": 160}}}
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("style_draft.")
    thread.refresh_from_db()
    assert thread.style_draft == {}


def test_another_users_thread_is_404_and_keeps_its_draft(api, bob, thread):
    api.force_authenticate(bob)

    response = api.patch(url(thread), {"style_draft": {"card": {"radius": 3}}})

    assert response.status_code == 404
    thread.refresh_from_db()
    assert thread.style_draft == {}


def test_the_preset_applied_is_remembered_for_the_user(as_alice, alice, thread):
    preset = StylePreset.objects.create(owner=alice, name="Mine", style=default_style())

    response = as_alice.patch(url(thread), {"style_draft": preset.style, "preset": preset.pk})

    assert response.status_code == 200
    assert "preset" not in response.json()
    alice.refresh_from_db()
    assert alice.last_preset == preset

    as_alice.patch(url(thread), {"preset": None})
    alice.refresh_from_db()
    assert alice.last_preset is None


def test_a_built_in_preset_can_be_remembered(as_alice, alice, thread):
    builtin = StylePreset.objects.filter(owner__isnull=True).first()

    assert as_alice.patch(url(thread), {"preset": builtin.pk}).status_code == 200
    alice.refresh_from_db()
    assert alice.last_preset == builtin


def test_another_users_preset_is_refused_and_nothing_changes(as_alice, alice, bob, thread):
    theirs = StylePreset.objects.create(owner=bob, name="Bob's", style=default_style())

    response = as_alice.patch(url(thread), {"style_draft": {"card": {"radius": 3}}, "preset": theirs.pk})

    assert response.status_code == 400
    assert response.json()["message"].startswith("preset:")
    alice.refresh_from_db()
    thread.refresh_from_db()
    assert alice.last_preset is None
    assert thread.style_draft == {}


def test_a_deleted_preset_is_forgotten(as_alice, alice, thread):
    preset = StylePreset.objects.create(owner=alice, name="Mine", style=default_style())
    as_alice.patch(url(thread), {"preset": preset.pk})

    assert as_alice.delete(f"/api/v1/presets/{preset.pk}/").status_code == 204

    alice.refresh_from_db()
    assert alice.last_preset is None


def test_the_avatar_can_be_removed(as_alice, thread):
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    assert as_alice.post(f"{url(thread)}avatar/", {"file": upload}, format="multipart").status_code == 200
    assert Thread.objects.get(pk=thread.pk).avatar

    response = as_alice.delete(f"{url(thread)}avatar/")

    assert response.status_code == 200
    assert response.json()["avatar"] is None
    assert not Thread.objects.get(pk=thread.pk).avatar
    assert as_alice.get(f"{url(thread)}avatar/").status_code == 404


def test_another_users_avatar_cannot_be_removed(api, bob, as_alice, thread):
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    as_alice.post(f"{url(thread)}avatar/", {"file": upload}, format="multipart")
    api.force_authenticate(bob)

    assert api.delete(f"{url(thread)}avatar/").status_code == 404
    assert Thread.objects.get(pk=thread.pk).avatar


def test_the_schema_documents_the_draft_and_the_preset(as_alice):
    schema = as_alice.get("/api/v1/schema/", {"format": "json"}).json()
    write = schema["components"]["schemas"]["PatchedThreadWriteRequest"]["properties"]
    read = schema["components"]["schemas"]["Thread"]["properties"]

    assert write["style_draft"]["type"] == "object"
    assert write["preset"]["nullable"] is True
    assert read["style_draft"]["readOnly"] is True
    assert "delete" in schema["paths"]["/api/v1/threads/{id}/avatar/"]


@pytest.mark.parametrize("preset", [2**62, -1, 0])
def test_a_preset_id_out_of_range_is_a_400(as_alice, thread, preset):
    response = as_alice.patch(url(thread), {"preset": preset})

    assert response.status_code == 400
    assert response.json()["message"].startswith("preset:")
