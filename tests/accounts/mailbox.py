"""Reading the mails the tests' locmem backend kept, and following their
links the way a person would."""

import re

from django.core import mail
from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.test import Client

VERIFY = r"/accounts/confirm-email/[^/\s]+/"
RESET = r"/accounts/password/reset/key/[^/\s]+/"


def mails_to(address: str) -> list[EmailMessage]:
    return [message for message in mail.outbox if address in message.to]


def links_in(message: EmailMessage, path: str) -> list[str]:
    """The paths (without scheme and host) of the links matching `path`."""
    return re.findall(rf"https?://[^/\s]+({path})", str(message.body))


def only_link(address: str, path: str) -> str:
    """The one link of that kind mailed to `address`, failing if there are
    none or several."""
    found = [link for message in mails_to(address) for link in links_in(message, path)]
    assert len(found) == 1, f"expected one link to {address} matching {path}, found {found}"
    return found[0]


def verify_address(client: Client, address: str) -> HttpResponse:
    """Open the verification link mailed to `address` and press Confirm."""
    link = only_link(address, VERIFY)
    assert client.get(link).status_code == 200
    return client.post(link, follow=True)
