"""Writes and rules for accounts. Views, the admin and commands call these."""

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import ApiToken, User, normalize_email
from config.errors import Invalid, NotFound


@transaction.atomic
def user_signup(*, email: str, password: str) -> User:
    """Create a free account. Refuses a taken email (in any case) and a weak
    password with an `Invalid` naming the field."""
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise Invalid("An account with this email address already exists.", field="email")
    candidate = User(email=email)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="password") from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
    except IntegrityError as exc:
        # Two sign-ups with one address raced past the check above.
        raise Invalid("An account with this email address already exists.", field="email") from exc
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


@transaction.atomic
def token_create(
    *, user: User, name: str, expires_in: datetime.timedelta | None = None
) -> tuple[ApiToken, str]:
    """Make an API token. Returns the row and the secret, which is stored
    only as a hash and so can be shown this once."""
    token, secret = ApiToken.objects.create(user=user, expiry=expires_in, name=name)
    return token, secret


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, id=token_id).delete()
    if not deleted:
        raise NotFound("No such token.")


def token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute per token, to keep auth read-only."""
    now = timezone.now()
    if token.last_used and now - token.last_used < datetime.timedelta(minutes=1):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    token.last_used = now
