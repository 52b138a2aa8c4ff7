"""/api/v1/brand/: a user's kit (author, avatar, logo, colours, end line)
and their fonts, theirs alone, every bad value a 4xx naming its field."""

import io

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from brand.models import BrandKit, CustomFont
from tests.brand.fontmaker import make_font
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

KIT, FONTS = "/api/v1/brand/", "/api/v1/brand/fonts/"


def upload(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def refused(answer) -> str:
    """The one field a 4xx answer names."""
    [field] = answer.json()["errors"]
    assert field in answer.json()["message"]
    return field


def test_a_new_kit_is_empty(as_alice: APIClient) -> None:
    answer = as_alice.get(KIT)

    assert answer.status_code == 200
    assert answer.json() | {"updated": None} == {
        "author_name": "",
        "handle": "",
        "avatar_url": None,
        "logo_url": None,
        "colours": [],
        "end_text": "",
        "updated": None,
    }


def test_patching_keeps_what_it_does_not_name_and_normalises(as_alice: APIClient) -> None:
    as_alice.patch(KIT, {"end_text": "Follow for a thread a week"}, format="json")
    answer = as_alice.patch(
        KIT,
        {"author_name": "  Ada   Writes ", "handle": "@ada_w", "colours": ["#ABC", "#1d9bf0", "#aabbcc"]},
        format="json",
    )

    assert answer.status_code == 200
    kit = answer.json()
    assert (kit["author_name"], kit["handle"], kit["end_text"]) == (
        "Ada Writes",
        "ada_w",
        "Follow for a thread a week",
    )
    assert kit["colours"] == ["#aabbcc", "#1d9bf0"], "normalised, and a repeat kept once"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"handle": "no spaces allowed"}, "handle"),
        ({"author_name": "x" * 101}, "author_name"),
        ({"author_name": 5}, "author_name"),
        ({"colours": "#fff"}, "colours"),
        ({"colours": ["#fff", "blue"]}, "colours[1]"),
        ({"colours": ["#000000"] * 13}, "colours"),
        ({"end_text": "y" * 201}, "end_text"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_change_nothing(as_alice: APIClient, body, field) -> None:
    as_alice.patch(KIT, {"author_name": "Kept"}, format="json")

    answer = as_alice.patch(
        KIT, {**body, "end_text": "not saved"} if "end_text" not in body else body, format="json"
    )

    assert answer.status_code == 400
    assert refused(answer) == field
    assert BrandKit.objects.get().author_name == "Kept"
    assert BrandKit.objects.get().end_text == ""


def test_logo_and_avatar_upload_read_and_remove(
    as_alice: APIClient, django_capture_on_commit_callbacks
) -> None:
    answer = as_alice.post(
        f"{KIT}logo/", {"file": upload(png_bytes(120, 40), "logo.png")}, format="multipart"
    )
    assert answer.status_code == 200
    logo_url = answer.json()["logo_url"]
    assert logo_url == "/api/v1/brand/logo/"
    assert as_alice.get(logo_url).status_code == 200
    stored = BrandKit.objects.get().logo.name

    not_an_image = as_alice.post(
        f"{KIT}avatar/", {"file": upload(b"not an image", "a.png")}, format="multipart"
    )
    assert (not_an_image.status_code, refused(not_an_image)) == (400, "file")

    with django_capture_on_commit_callbacks(execute=True):
        removed = as_alice.delete(f"{KIT}logo/")
    assert removed.status_code == 200
    assert removed.json()["logo_url"] is None
    assert not default_storage.exists(stored)
    assert as_alice.get(f"{KIT}logo/").status_code == 404
    assert (
        as_alice.post(f"{KIT}banner/", {"file": upload(png_bytes(), "b.png")}, format="multipart").status_code
        == 404
    )


def test_a_font_is_uploaded_listed_and_deleted(
    as_alice: APIClient, django_capture_on_commit_callbacks
) -> None:
    answer = as_alice.post(
        FONTS, {"file": upload(make_font("Harbour Grotesk", flavor="woff"), "h.woff")}, format="multipart"
    )

    assert answer.status_code == 201
    font = answer.json()
    assert (font["family"], font["source_format"]) == ("Harbour Grotesk", "WOFF")
    assert as_alice.get(FONTS).json() == [font]
    stored = CustomFont.objects.get().file.name
    assert default_storage.open(stored).read(4) == b"\x00\x01\x00\x00"

    with django_capture_on_commit_callbacks(execute=True):
        assert as_alice.delete(f"{FONTS}{font['id']}/").status_code == 204
    assert as_alice.get(FONTS).json() == []
    assert not default_storage.exists(stored)


def test_font_names_are_the_owners_own(as_alice: APIClient, settings) -> None:
    settings.FONTS_PER_USER = 2
    first = as_alice.post(FONTS, {"file": upload(make_font("Harbour"), "a.ttf")}, format="multipart")
    again = as_alice.post(FONTS, {"file": upload(make_font("Harbour"), "b.ttf")}, format="multipart")
    built_in = as_alice.post(
        FONTS, {"file": upload(make_font(), "c.ttf"), "family": "inter"}, format="multipart"
    )
    renamed = as_alice.post(
        FONTS, {"file": upload(make_font("Harbour"), "d.ttf"), "family": "Harbour Bold"}, format="multipart"
    )
    full = as_alice.post(FONTS, {"file": upload(make_font("Third"), "e.ttf")}, format="multipart")

    assert first.status_code == 201
    assert (again.status_code, refused(again)) == (409, "family")
    assert (built_in.status_code, refused(built_in)) == (409, "family")
    assert renamed.json()["family"] == "Harbour Bold"
    assert (full.status_code, refused(full)) == (409, "file")
    assert CustomFont.objects.count() == 2


def test_a_broken_font_is_a_400_and_stores_nothing(as_alice: APIClient) -> None:
    answer = as_alice.post(
        FONTS, {"file": upload(b"\x00\x01\x00\x00" + b"\x07" * 900, "x.ttf")}, format="multipart"
    )

    assert answer.status_code == 400
    assert refused(answer) == "file"
    assert not CustomFont.objects.exists()


def test_another_users_kit_and_fonts_are_not_reachable(api: APIClient, alice, bob) -> None:
    api.force_authenticate(alice)
    api.post(f"{KIT}logo/", {"file": upload(png_bytes(), "l.png")}, format="multipart")
    font = api.post(FONTS, {"file": upload(make_font(), "f.ttf")}, format="multipart").json()

    api.force_authenticate(bob)
    assert api.get(f"{KIT}logo/").status_code == 404
    assert api.get(FONTS).json() == []
    assert api.delete(f"{FONTS}{font['id']}/").status_code == 404
    assert CustomFont.objects.filter(owner=alice).exists()


def test_signed_out_is_refused(api: APIClient) -> None:
    assert api.get(KIT).status_code == 401
    assert api.post(FONTS, {}).status_code == 401
