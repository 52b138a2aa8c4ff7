from django.urls import reverse
from rest_framework import serializers

from brand.models import BrandKit, CustomFont


class BrandKitSerializer(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField(help_text="The default avatar (owner only), or null.")
    logo_url = serializers.SerializerMethodField(help_text="The logo placed on slides (owner only), or null.")
    colours = serializers.ListField(child=serializers.CharField(), help_text="Up to 12 colours like #1d9bf0.")

    class Meta:
        model = BrandKit
        fields = ["author_name", "handle", "avatar_url", "logo_url", "colours", "end_text", "updated"]
        read_only_fields = fields

    def get_avatar_url(self, kit: BrandKit) -> str | None:
        return reverse("brand-api:brand-image", kwargs={"which": "avatar"}) if kit.avatar else None

    def get_logo_url(self, kit: BrandKit) -> str | None:
        return reverse("brand-api:brand-image", kwargs={"which": "logo"}) if kit.logo else None


class BrandKitUpdateSerializer(serializers.Serializer):
    """Any of these; each is checked by the service, which names the field."""

    author_name = serializers.JSONField(required=False, help_text="Up to 100 characters.")
    handle = serializers.JSONField(required=False, help_text="1-30 letters, digits or underscores.")
    colours = serializers.JSONField(required=False, help_text='Up to 12, like ["#1d9bf0", "#0f1419"].')
    end_text = serializers.JSONField(required=False, help_text="Up to 200 characters.")


class CustomFontSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomFont
        fields = ["id", "family", "glyphs", "size", "source_format", "created"]
        read_only_fields = fields


class FontUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="TTF, OTF, WOFF or WOFF2; sanitised and re-encoded before use.")
    family = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The name styles use; else the font's own."
    )


class BrandImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PNG, JPEG, WebP or GIF (first frame).")
