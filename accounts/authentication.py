from hmac import compare_digest
from typing import Any

from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request

from accounts.models import ApiToken, User
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

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """knox's lookup, without its sweep of the user's other tokens (a
        query on every request) and without deleting an expired token: it
        stays, so that each time it is presented the answer says it expired
        and when. "Expired" is said only to the holder of the whole secret."""
        key = token.decode("ascii")
        digest = hash_token(key)
        for candidate in ApiToken.objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if not compare_digest(digest, candidate.digest):
                continue
            if candidate.is_expired:
                raise AuthenticationFailed(
                    f"This token expired at {candidate.expiry:%Y-%m-%d %H:%M:%S} UTC; create a new one."
                )
            return self.validate_user(candidate)
        raise AuthenticationFailed("Invalid token.")


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
