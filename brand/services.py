"""Writes and rules for brand kits and custom fonts."""

import unicodedata
import uuid
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from accounts.models import User
from brand.fonts import FontLimits, font_clean
from brand.models import BrandKit, CustomFont
from config.errors import Conflict, Invalid
from rendering.engine.vocabulary import FAMILIES
from threads.images import image_clean
from threads.services import delete_files_on_commit, image_limits, store_image
from threads.style import colour_clean

IMAGES = ("avatar", "logo")
MAX_COLOURS = 12
FAMILY_LIMIT = 100
TEXT_FIELDS = {"author_name": 100, "handle": 30, "end_text": 200}


def brand_kit_of(*, owner: User) -> BrandKit:
    kit, _ = BrandKit.objects.get_or_create(owner=owner)
    return kit


def clean_text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise Invalid("must be text.", field=field)
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if field == "handle":
        text = text.removeprefix("@")
        if text and not (len(text) <= 30 and all(ch.isalnum() or ch == "_" for ch in text)):
            raise Invalid("is 1-30 letters, digits or underscores, with or without @.", field=field)
    if len(text) > TEXT_FIELDS[field]:
        raise Invalid(f"must be at most {TEXT_FIELDS[field]} characters (it has {len(text):,}).", field=field)
    return text


def clean_colours(value: object) -> list[str]:
    if not isinstance(value, list):
        raise Invalid('must be a list of colours like ["#1d9bf0"].', field="colours")
    if len(value) > MAX_COLOURS:
        raise Invalid(f"can hold at most {MAX_COLOURS} colours.", field="colours")
    colours: list[str] = []
    for index, colour in enumerate(value):
        clean = colour_clean(colour, f"colours[{index}]")[:7]
        if clean not in colours:
            colours.append(clean)
    return colours


@transaction.atomic
def brand_kit_update(*, owner: User, changes: dict[str, Any]) -> BrandKit:
    """Change the given fields of the owner's kit; each is checked first, so
    a bad one changes nothing."""
    unknown = sorted(set(changes) - {*TEXT_FIELDS, "colours"})
    if unknown:
        raise Invalid("is not a brand kit setting.", field=unknown[0])
    clean = {
        field: clean_colours(value) if field == "colours" else clean_text(field, value)
        for field, value in changes.items()
    }
    kit = BrandKit.objects.select_for_update().get(pk=brand_kit_of(owner=owner).pk)
    for field, value in clean.items():
        setattr(kit, field, value)
    kit.save()
    return kit


@transaction.atomic
def brand_image_set(*, owner: User, which: str, upload: BinaryIO) -> BrandKit:
    """The kit's default avatar or its logo: cleaned like every upload."""
    clean = image_clean(upload, limits=image_limits(), field="file")
    kit = BrandKit.objects.select_for_update().get(pk=brand_kit_of(owner=owner).pk)
    field = getattr(kit, which)
    delete_files_on_commit([field.name])
    field.name = store_image(clean, folder=f"brand/{which}s")
    kit.save()
    return kit


@transaction.atomic
def brand_image_remove(*, owner: User, which: str) -> BrandKit:
    kit = BrandKit.objects.select_for_update().get(pk=brand_kit_of(owner=owner).pk)
    field = getattr(kit, which)
    delete_files_on_commit([field.name])
    field.name = ""
    kit.save()
    return kit


def font_limits() -> FontLimits:
    return FontLimits(max_bytes=settings.FONT_MAX_BYTES, max_glyphs=settings.FONT_MAX_GLYPHS)


def font_family(requested: object, named: str) -> str:
    """The name styles will use: the one asked for, else the font's own."""
    if not isinstance(requested, str):
        raise Invalid("must be text.", field="family")
    family = " ".join(unicodedata.normalize("NFC", requested or named).split())
    if len(family) > FAMILY_LIMIT:
        raise Invalid(f"must be at most {FAMILY_LIMIT} characters.", field="family")
    if not family:
        raise Invalid("is needed: this font does not name its family.", field="family")
    if family.casefold() in {built.casefold() for built in FAMILIES}:
        raise Conflict(f"“{family}” is one of the built-in fonts; give yours another name.", field="family")
    return family


def font_add(*, owner: User, upload: BinaryIO, family: object = "") -> CustomFont:
    """Sanitise, re-encode and store an uploaded font for its owner alone."""
    if CustomFont.objects.filter(owner=owner).count() >= settings.FONTS_PER_USER:
        raise Conflict(
            f"You have {settings.FONTS_PER_USER} fonts, the most an account keeps; delete one first.",
            field="file",
        )
    clean = font_clean(upload, font_limits())
    family = font_family(family, clean.family)
    name = default_storage.save(
        f"brand/fonts/{clean.sha256[:2]}/{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.content)
    )
    try:
        with transaction.atomic():
            return CustomFont.objects.create(
                owner=owner,
                family=family,
                file=name,
                sha256=clean.sha256,
                glyphs=clean.glyphs,
                size=len(clean.content),
                source_format=clean.source_format,
            )
    except IntegrityError:
        default_storage.delete(name)
        raise Conflict(f"You already have a font named “{family}”.", field="family") from None


@transaction.atomic
def font_delete(*, font: CustomFont) -> None:
    delete_files_on_commit([font.file.name])
    font.delete()
