"""What a scoped API token may reach."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import ApiToken

SCOPE_MESSAGES = {
    ApiToken.Scope.IMPORT: 'This token may only add threads and their pictures (its scope is "import", '
    "made for the browser extension); use a full API token for this.",
}


class TokenScope(BasePermission):
    """A full token (or a website session) reaches every view; a token of
    another scope reaches only the actions a view lists for that scope in
    `token_scopes` ({scope: {action or lower-case HTTP method}}): a view
    that lists nothing is closed to it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        scope = getattr(request.auth, "scope", ApiToken.Scope.FULL)
        if scope == ApiToken.Scope.FULL:
            return True
        allowed = getattr(view, "token_scopes", {}).get(scope, frozenset())
        action = getattr(view, "action", None) or (request.method or "").lower()
        if action in allowed:
            return True
        self.message = SCOPE_MESSAGES.get(scope, f'This token\'s scope ("{scope}") does not reach this.')
        return False
