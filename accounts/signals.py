"""allauth's password signals, handed to `services.password_changed`. They
fire after the new password is saved, on the website's change, set and reset
pages; the admin calls the service from its own form (accounts/admin.py)."""

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth import logout
from django.dispatch import receiver
from django.http import HttpRequest

from accounts import services
from accounts.models import User


@receiver(password_changed, dispatch_uid="accounts.password_changed")
@receiver(password_set, dispatch_uid="accounts.password_set")
def end_other_sessions(sender: object, request: HttpRequest, user: User, **_: Any) -> None:
    # allauth has already moved this session to a new key with the new
    # password's hash (update_session_auth_hash): it is the one that stays.
    services.password_changed(user=user, keep_session_key=request.session.session_key)


@receiver(password_reset, dispatch_uid="accounts.password_reset")
def end_every_session(sender: object, request: HttpRequest, user: User, **_: Any) -> None:
    # A reset proves only access to the mailbox: nobody stays signed in, not
    # even a browser of this user's that followed the link.
    if request.user.is_authenticated and request.user.pk == user.pk:
        logout(request)
    services.password_changed(user=user, keep_session_key=None, reset=True)
