"""A user's brand kit: what every new thread and design of theirs starts
from (author, logo, colours, end line), and the fonts they uploaded."""

from django.conf import settings
from django.db import models


class BrandKit(models.Model):
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_kit")
    author_name = models.CharField(max_length=100, blank=True, help_text="For threads imported without one.")
    handle = models.CharField(max_length=30, blank=True, help_text="Without the leading @.")
    avatar = models.FileField(upload_to="brand/avatars/", blank=True)
    logo = models.FileField(
        upload_to="brand/logos/", blank=True, help_text="Placed on slides (style logo.corner)."
    )
    colours = models.JSONField(
        default=list, blank=True, help_text="#rrggbb colours offered in every colour picker."
    )
    end_text = models.CharField(
        max_length=200, blank=True, help_text="The carousel end slide's line by default."
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Brand kit of {self.owner_id}"


class CustomFont(models.Model):
    """An uploaded font, sanitised and re-encoded (brand/fonts.py); only its
    owner's styles may name it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fonts")
    family = models.CharField(max_length=100, help_text="The name styles use for it (text.font).")
    file = models.FileField(upload_to="brand/fonts/")
    sha256 = models.CharField(max_length=64)
    glyphs = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes, as stored.")
    source_format = models.CharField(max_length=8, help_text="TTF, OTF, WOFF or WOFF2, as uploaded.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "family"], name="font_unique_family_per_owner")
        ]

    def __str__(self) -> str:
        return self.family
