"""Password rules beyond Django's: listed in AUTH_PASSWORD_VALIDATORS, so the
API sign-up, the website's sign-up, password change and reset, the admin and
`createsuperuser` all apply them.

Each refuses with a message that says what is wrong and never repeats the
password (messages end up in API answers and logs)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# White space (Z*) and characters that draw nothing: controls (Cc) and format
# characters (Cf) such as the zero-width space, joiners and the BOM.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})

# The product's own name, which a password list made elsewhere cannot know.
PRODUCT_WORDS = frozenset({"threadnavigator", "threadnav", "navigator"})


def is_invisible(character: str) -> bool:
    return character.isspace() or unicodedata.category(character) in INVISIBLE_CATEGORIES


def smallest_period(text: str) -> int:
    """The length of the shortest unit that, repeated, spells `text` (the
    last repeat may be cut short): 1 for "zzzz", 2 for "ababa", len(text)
    when nothing repeats. Knuth–Morris–Pratt's prefix function, linear."""
    border = [0] * len(text)
    for index in range(1, len(text)):
        length = border[index - 1]
        while length and text[index] != text[length]:
            length = border[length - 1]
        if text[index] == text[length]:
            length += 1
        border[index] = length
    return len(text) - (border[-1] if text else 0)


class BlankPasswordValidator:
    """Refuses a password of only spaces, of any kind (no-break, ideographic,
    tabs…), and of characters that print nothing."""

    def validate(self, password: str, user: object = None) -> None:
        if all(is_invisible(character) for character in password):
            raise ValidationError(
                _("This password is only spaces or invisible characters; use letters or digits too."),
                code="password_blank",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be only spaces.")


class RepeatedPatternValidator:
    """Refuses one character or a short sequence said over and over
    (`zzzzzzzzzzzz`, `abababababab`, `Password1Password1`): such a password is
    no stronger than its unit. A unit of `min_unit_length` or more may repeat
    (a passphrase said twice), as it would pass on its own. Letter case is
    ignored (`aAaAaAaAaA` is `a` repeated)."""

    def __init__(self, min_unit_length: int = 10) -> None:
        self.min_unit_length = min_unit_length

    def validate(self, password: str, user: object = None) -> None:
        folded = password.casefold()
        period = smallest_period(folded)
        if period == 1 and len(folded) > 1:
            raise ValidationError(
                _("This password is one character repeated; choose one that doesn't repeat."),
                code="password_repeated_character",
            )
        if len(folded) >= 2 * period and period < self.min_unit_length:
            raise ValidationError(
                _("This password is a short sequence repeated; choose one that doesn't repeat."),
                code="password_repeated_pattern",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a character or a short sequence repeated.")


class ProductNameValidator:
    """Refuses the product's name as the password, whatever the case, spaces,
    punctuation or digits around it (`Thread Navigator 2024!`)."""

    def validate(self, password: str, user: object = None) -> None:
        letters = "".join(character for character in password.casefold() if character.isalpha())
        if letters in PRODUCT_WORDS:
            raise ValidationError(
                _("This password is the name of this site; choose another."), code="password_product_name"
            )

    def get_help_text(self) -> str:
        return _("Your password can't be the name of this site.")
