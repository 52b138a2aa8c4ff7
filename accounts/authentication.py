from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request

from accounts.models import User
from accounts.services import token_touch

KEYWORDS = (b"token", b"bearer")


def signed_in_user(request: HttpRequest | Request) -> User:
    """The request's user, for views that only run for signed-in users."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


class ApiTokenAuthentication(TokenAuthentication):
    """knox tokens, sent as `Authorization: Token <key>` or `Bearer <key>`."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid Authorization header: expected '<Token|Bearer> <key>'.")
        try:
            parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        user, token = self.authenticate_credentials(parts[1])
        token_touch(token=token)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return "Token"

    def _cleanup_token(self, auth_token: Any) -> bool:
        """Only the presented token: knox also sweeps all the user's other
        tokens for expired ones, a query on every request for tokens that
        (TOKEN_TTL None) never expire."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <key>` (or `Token <key>`); "
            "create a key with POST /api/v1/accounts/tokens/.",
        }
