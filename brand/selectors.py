from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from accounts.models import User
from brand.models import BrandKit, CustomFont
from rendering.engine.vocabulary import FAMILIES


def brand_kit_for(*, user: User) -> BrandKit | None:
    return BrandKit.objects.filter(owner=user).first()


def fonts_of(*, user: User) -> QuerySet[CustomFont]:
    return CustomFont.objects.filter(owner=user)


def font_families(*, user: User) -> list[str]:
    """The family names `user`'s styles may give `text.font` besides the
    built-in ones."""
    return list(fonts_of(user=user).values_list("family", flat=True))


def style_font(*, user: User, style: dict[str, Any]) -> CustomFont | None:
    """`user`'s font the style names, if it names one they still have."""
    family = style["text"]["font"]
    if family in FAMILIES:
        return None
    return fonts_of(user=user).filter(family=family).first()


def missing_font(*, user: User, style: dict[str, Any]) -> str:
    """The family the style names that is neither built in nor among
    `user`'s fonts (deleted since the style was saved); "" if none."""
    family: str = style["text"]["font"]
    if family in FAMILIES or fonts_of(user=user).filter(family=family).exists():
        return ""
    return family


def shown_logo(*, user: User, style: dict[str, Any]) -> str:
    """The stored name of the logo a render of `style` draws ("" for none):
    the style puts it in a corner and the kit has one."""
    if style.get("logo", {}).get("corner", "none") == "none":
        return ""
    kit = brand_kit_for(user=user)
    return str(kit.logo.name) if kit is not None and kit.logo else ""


def brand_identity(*, user: User, style: dict[str, Any]) -> dict[str, str | None]:
    """What of `user`'s brand kit a render of `style` shows, as names, not
    bytes: the logo's stored name (every upload is stored under a new name),
    the font's SHA-256 and the kit's end line; empty when the style uses neither, so a render
    without them hashes as it did before brand kits. For export
    de-duplication and preview caching."""
    identity: dict[str, str | None] = {}
    if style["text"]["font"] not in FAMILIES:
        font = style_font(user=user, style=style)
        identity["font"] = font.sha256 if font is not None else None
    logo = shown_logo(user=user, style=style)
    if logo:
        identity["logo"] = logo
    kit = brand_kit_for(user=user)
    if kit is not None and kit.end_text:
        identity["end_text"] = kit.end_text
    return identity


@dataclass(frozen=True)
class BrandFiles:
    """What the renderer is given of a brand kit (`RenderInput.fonts`, `.logo`)."""

    fonts: dict[str, bytes] = field(default_factory=dict)
    logo: bytes | None = None
    end_text: str = ""  # the end slide's line where the Studio gives none


def brand_files(*, user: User, style: dict[str, Any]) -> BrandFiles:
    """The files a render of `style` for `user` needs: their font the style
    names and the kit's logo when the style places it, read from storage."""
    font = style_font(user=user, style=style)
    logo = shown_logo(user=user, style=style)
    kit = brand_kit_for(user=user)
    return BrandFiles(
        fonts={font.family: read_stored(str(font.file.name))} if font is not None else {},
        logo=read_stored(logo) if logo else None,
        end_text=kit.end_text if kit is not None else "",
    )


def read_stored(name: str) -> bytes:
    with default_storage.open(name) as stored:
        content: bytes = stored.read()
        return content
