from django.db.models import QuerySet

from accounts.models import User
from brand.models import BrandKit, CustomFont


def brand_kit_for(*, user: User) -> BrandKit | None:
    return BrandKit.objects.filter(owner=user).first()


def fonts_of(*, user: User) -> QuerySet[CustomFont]:
    return CustomFont.objects.filter(owner=user)
