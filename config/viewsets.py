from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets

from accounts.authentication import signed_in_user
from accounts.models import User


class OwnedViewSet(viewsets.GenericViewSet):
    """The base of every API view over users' objects. Rows are only ever
    reached through `scoped_queryset(user)`, so another user's id is a 404
    and a new endpoint cannot forget the filter."""

    lookup_value_regex = r"[0-9]+"
    model: type[Model]

    def scoped_queryset(self, user: User) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema without a user
            return self.model._default_manager.none()
        return self.scoped_queryset(signed_in_user(self.request))
