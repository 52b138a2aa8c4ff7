"""The presets page is a gallery: each look, built-in or the user's own, is
shown by a slide the engine draws in it."""

import io

import pytest
from PIL import Image

from threads.models import StylePreset
from threads.style import default_style

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_every_visible_preset_has_an_engine_thumbnail(signed_in):
    page = signed_in.get("/presets/").content.decode()
    built_in = StylePreset.objects.filter(owner__isnull=True)

    assert built_in.exists()
    for preset in built_in:
        assert f"/presets/{preset.pk}/thumbnail.png" in page
        answer = signed_in.get(f"/presets/{preset.pk}/thumbnail.png")
        assert answer.status_code == 200
        assert answer["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(answer.content))
        assert image.width == 360
        assert image.height >= 360


def test_two_looks_draw_two_thumbnails_and_a_repeat_is_not_sent_again(signed_in, alice):
    dark = default_style()
    dark["canvas"]["background"] = {"type": "solid", "color": "#111827"}
    mine = StylePreset.objects.create(owner=alice, name="Night", style=dark)
    builtin = StylePreset.objects.filter(owner__isnull=True).first()

    first = signed_in.get(f"/presets/{mine.pk}/thumbnail.png")
    other = signed_in.get(f"/presets/{builtin.pk}/thumbnail.png")
    again = signed_in.get(f"/presets/{mine.pk}/thumbnail.png", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.content != other.content
    corner = Image.open(io.BytesIO(first.content)).convert("RGB").getpixel((2, 2))
    assert corner == (0x11, 0x18, 0x27), "the preset's own background"
    assert again.status_code == 304


def test_another_users_preset_has_no_thumbnail(signed_in, bob):
    theirs = StylePreset.objects.create(owner=bob, name="Theirs", style=default_style())

    assert signed_in.get(f"/presets/{theirs.pk}/thumbnail.png").status_code == 404
