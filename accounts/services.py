"""Writes and rules for accounts. Views, the admin and commands call these."""

import datetime

from allauth.account.models import EmailAddress
from allauth.account.signals import user_signed_up
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone

from accounts import mail, selectors
from accounts.models import ApiToken, MonthlyUsage, User, month_start, next_month_start, normalize_email
from config.errors import Conflict, Forbidden, Invalid, NotFound, QuotaExceeded
from rendering.models import Job


def user_signup(*, request: HttpRequest, email: str, password: str) -> str:
    """Sign up by email: a free account whose address is verified by the link
    mailed to it (allauth's, as on the website). Returns the address.

    A taken address is answered exactly as a free one, so sign-up cannot tell
    who has an account: nothing is created, and its owner is mailed that they
    already have one. A weak password is refused (`Invalid` naming the
    field) either way, since that says nothing about the address (`request`
    makes the links in the mails)."""
    email = normalize_email(email)
    try:
        password_validation.validate_password(password, user=User(email=email))
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="password") from exc
    address = None
    if selectors.email_owner(email=email) is None:
        address = account_create(email=email, password=password)
    if address is None:
        # The hashing a new account costs, so the time taken doesn't tell either.
        make_password(password)
    mail.signup_mail(request=request, email=email, address=address)
    return email


@transaction.atomic
def account_create(*, email: str, password: str) -> EmailAddress | None:
    """The user and their unverified address; None when the address was
    taken meanwhile (two sign-ups raced past the check)."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
    except IntegrityError:
        return None
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    # As allauth announces the website's sign-ups: the new account gets its
    # sample thread (threads/apps.py).
    user_signed_up.send(sender=User, request=None, user=user)
    return address


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    expires_in: datetime.timedelta | None = None,
    scope: str = ApiToken.Scope.FULL,
) -> tuple[ApiToken, str]:
    """Make an API token for a user whose address is verified. Returns the
    row and the secret, which is stored only as a hash and so can be shown
    this once. A token of `scope` "import" reaches only the views that
    name that scope (accounts/permissions.py): the browser extension's."""
    if not selectors.email_verified(user=user):
        raise Forbidden(
            f"Verify your email address first: follow the link we mailed to {user.email} "
            "(the website's Email address page sends a new one), then try again.",
            field="email",
        )
    token, secret = ApiToken.objects.create(user=user, expiry=expires_in, name=name, scope=scope)
    return token, secret


@transaction.atomic
def email_verify(*, user: User) -> None:
    """Staff vouch for the address a user signs in with (an account made in
    the admin or by `createsuperuser`, which no link verified)."""
    email = normalize_email(user.email)
    if EmailAddress.objects.filter(email=email, verified=True).exclude(user=user).exists():
        raise Conflict("Another account has verified this address.", field="email")
    EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )


def password_changed(*, user: User, keep_session_key: str | None, reset: bool = False) -> None:
    """After a password change or reset: whoever knew the old password keeps
    nothing. Every API token is revoked and every website session but
    `keep_session_key` (the one that made the change; None after a reset) is
    ended, and the user is mailed which tokens went."""
    revoked, ended = user_sign_out_everywhere(user=user, keep_session_key=keep_session_key)
    mail.password_changed_mail(user=user, revoked=revoked, sessions_ended=ended, reset=reset)


@transaction.atomic
def user_sign_out_everywhere(
    *, user: User, keep_session_key: str | None
) -> tuple[list[mail.RevokedToken], int]:
    """Revoke every API token and end every website session but one. Returns
    the tokens that still worked and the number of sessions ended."""
    tokens = ApiToken.objects.filter(user=user)
    revoked = [
        mail.RevokedToken(token.name, token.display_prefix) for token in tokens if not token.is_expired
    ]
    tokens.delete()
    ended = [key for key in selectors.session_keys_of(user=user) if key != keep_session_key]
    Session.objects.filter(session_key__in=ended).delete()
    return revoked, len(ended)


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


# --- Export quota ------------------------------------------------------------


def charge_exports(*, user: User, exports: int) -> datetime.date:
    """Take `exports` from this month's quota in one conditional UPDATE, so
    concurrent requests for the last few admit exactly as many as are left.
    Returns the month charged."""
    month = month_start()
    limit = user.plan.exports_per_month
    rows = MonthlyUsage.objects.filter(user=user, month=month, exports__lte=limit - exports)
    admitted = rows.update(exports=F("exports") + exports)
    if not admitted:  # over the quota, or no row yet: the month's first export
        MonthlyUsage.objects.get_or_create(user=user, month=month)
        admitted = rows.update(exports=F("exports") + exports)
    if not admitted:
        used = MonthlyUsage.objects.filter(user=user, month=month).values_list("exports", flat=True).get()
        resets = next_month_start(month)
        raise QuotaExceeded(
            f"your plan allows {limit} exports a month and {max(limit - used, 0)} are left; "
            f"this export needs {exports}. The count resets on {resets:%Y-%m-%d} (UTC).",
            field="exports",
        )
    return month


def check_running_jobs(*, user: User) -> None:
    """Refuse a job past the plan's number queued or running at once.
    Called after `charge_exports`, whose UPDATE holds the user's usage row
    until commit: one user's concurrent requests count one after another,
    each seeing the jobs the ones before it committed."""
    limit = user.plan.max_running_jobs
    active = Job.objects.filter(owner=user, status__in=Job.ACTIVE).count()
    if active >= limit:
        raise QuotaExceeded(
            f"your plan runs {limit} exports at a time and you have {active} queued or running; "
            "try again when one has finished, or cancel one.",
            field="max_running_jobs",
        )


def refund_exports(*, job: Job) -> None:
    """Give back what `job` was charged, to the month it was charged to."""
    if job.exports_charged and job.charged_month:
        MonthlyUsage.objects.filter(user_id=job.owner_id, month=job.charged_month).update(
            exports=Greatest(F("exports") - job.exports_charged, 0)
        )
