"""allauth, told who an address belongs to (`selectors.email_owner`): the
account that verified it, else the one that signs in with it."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.password_reset import get_reset_password_url
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.utils import build_absolute_uri
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

from accounts import selectors


class AccountAdapter(DefaultAccountAdapter):
    def send_password_reset_mail(self, user: AbstractBaseUser, email: str, context: dict[str, Any]) -> None:
        """One link, for the account the address belongs to. allauth finds
        every account with the address, including one that merely added it
        unverified; that account gets no link to someone else's inbox."""
        if selectors.email_owner(email=email) != user:
            return
        super().send_password_reset_mail(user, email, context)

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """An address added to one account while it was free stays pending if
        another account signs in with it by the time the link is followed."""
        owner = selectors.email_owner(email=email_address.email)
        if owner is not None and owner.pk != email_address.user_id:
            self.add_message(
                request,
                messages.ERROR,
                "account/messages/email_confirmation_failed.txt",
                {"email": email_address.email},
            )
            return False
        return super().confirm_email(request, email_address)

    def send_account_already_exists_mail(self, email: str) -> None:
        request = context.request
        self.send_mail(
            "account/email/account_already_exists",
            email,
            {
                "login_url": build_absolute_uri(request, reverse("account_login")),
                "password_reset_url": get_reset_password_url(request),
            },
        )
