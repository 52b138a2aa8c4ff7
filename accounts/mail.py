"""The mails accounts send beyond allauth's own. Sign-up mail goes through
allauth's adapter, so the API's verification link is the website's."""

from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import consume_email_verification_rate_limit
from allauth.account.models import EmailAddress
from allauth.core import context
from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.core.mail.backends import console
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User


@dataclass(frozen=True)
class RevokedToken:
    name: str
    prefix: str


def signup_mail(*, request: HttpRequest, email: str, address: EmailAddress | None) -> None:
    """A new account's verification link, or, when the address already has
    an account (`address` None), a note to its owner saying so. Both go
    through allauth's limit of one mail an address every few minutes, so
    sign-up cannot be used to flood someone's inbox."""
    if not consume_email_verification_rate_limit(request, email):
        return
    if address is None:
        get_adapter(request).send_account_already_exists_mail(email)
    else:
        address.send_confirmation(request, signup=True)


def password_changed_mail(
    *, user: User, revoked: list[RevokedToken], sessions_ended: int, reset: bool
) -> None:
    values = {
        "user": user,
        "reset": reset,
        "revoked": revoked,
        "sessions_ended": sessions_ended,
        "api_url": absolute_url(reverse("frontend:api")),
        "reset_url": absolute_url(reverse("account_reset_password")),
    }
    subject = render_to_string("account/email/password_changed_notice_subject.txt", values).strip()
    body = render_to_string("account/email/password_changed_notice_message.txt", values)
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])


def absolute_url(path: str) -> str:
    """On the host the request came to, as allauth's own links are; SITE_URL
    outside a request."""
    request = context.request
    if request is None:
        return settings.SITE_URL.rstrip("/") + path
    return request.build_absolute_uri(path)


class ConsoleBackend(console.EmailBackend):
    """Development (`./dev run`): each mail printed as a person reads it.
    Django's console backend prints the wire format, whose quoted-printable
    lines cut a long link in two, so the verification link could not be
    copied from the terminal."""

    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(
            f"From: {message.from_email}\nTo: {', '.join(message.to)}\nSubject: {message.subject}\n\n"
            f"{message.body}\n{'-' * 79}\n"
        )
