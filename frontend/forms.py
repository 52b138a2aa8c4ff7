from allauth.account import app_settings
from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from accounts import selectors as account_selectors
from rendering.models import Job

FORMATS = [("text", "Pasted text (the app's page, numbered posts or paragraphs)"), ("json", "Thread JSON")]


class ImportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMATS, initial="text", widget=forms.RadioSelect)
    content = forms.CharField(
        label="Paste the thread",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )
    json_file = forms.FileField(label="…or choose a JSON file", required=False)
    title = forms.CharField(
        max_length=200, required=False, help_text="Optional: we derive one from the first post."
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        upload = data.get("json_file")
        if upload:
            if upload.size > 25 * 1024 * 1024:
                raise forms.ValidationError({"json_file": "JSON files can be at most 25 MB."})
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError({"json_file": "The file is not UTF-8 text."}) from exc
            data["format"] = "json"
        if not data.get("content", "").strip():
            raise forms.ValidationError({"content": "Paste a thread or choose a JSON file."})
        return data


KIND_CHOICES = [("carousel", "Carousel"), ("cards", "Cards, one per post"), ("thread", "Thread image")]
FORMAT_CHOICES = [
    ("png", "PNG"),
    ("jpeg", "JPEG"),
    ("webp", "WebP"),
    ("pdf", "PDF (carousels)"),
    ("zip", "ZIP of PNGs"),
]
SCALE_CHOICES = [(1, "1× (1080 px wide)"), (2, "2×"), (3, "3×")]


class ExportForm(forms.Form):
    """One thread as cards, a thread image or a carousel."""

    kind = forms.ChoiceField(choices=KIND_CHOICES, initial="carousel")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="pdf")
    scale = forms.TypedChoiceField(choices=SCALE_CHOICES, coerce=int, initial=1)
    preset = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Style")
    leave_out_images = forms.BooleanField(required=False, label="Leave out images still to add")

    def __init__(self, *args: object, presets: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["preset"].choices = [("", "Default look"), *presets]  # type: ignore[attr-defined]

    def placeholders(self) -> str:
        """The job's "placeholders" option, from the box under the warning."""
        return Job.Placeholders.DROP if self.cleaned_data["leave_out_images"] else Job.Placeholders.KEEP


class BulkExportForm(ExportForm):
    """Several threads (or all of them) in one ZIP, a folder each."""

    kind = forms.CharField(widget=forms.HiddenInput, initial="bulk")  # type: ignore[assignment]
    threads = forms.TypedMultipleChoiceField(
        coerce=int, required=False, help_text="None chosen: all threads."
    )
    kinds = forms.MultipleChoiceField(
        choices=KIND_CHOICES,
        initial=["carousel"],
        widget=forms.CheckboxSelectMultiple,
        label="Each thread as",
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES[:4], initial="png", label="Images as")

    def __init__(self, *args: object, threads: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["threads"].choices = threads  # type: ignore[attr-defined]


class PostEditForm(forms.Form):
    text = forms.CharField(
        label="Post text", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 10})
    )


class PostImageForm(forms.Form):
    file = forms.FileField(label="Add an image", help_text="PNG, JPEG, WebP or GIF.")
    alt = forms.CharField(label="Describe it (alt text)", max_length=1000, required=False)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="Where you will use it, e.g. “laptop” or “Zapier”."
    )


class SignupForm(allauth_forms.SignupForm):
    """allauth's, with an address's owner decided as everywhere else
    (`email_owner`): an address that another account added but never
    verified does not stop its real owner signing up. A taken address is
    answered like a free one, and its owner mailed (PREVENT_ENUMERATION)."""

    def validate_unique_email(self, value: str) -> str:
        taken = account_selectors.email_owner(email=value) is not None
        if taken and app_settings.EMAIL_VERIFICATION != app_settings.EmailVerificationMethod.MANDATORY:
            # Only the mailed link between sign-up and sign-in lets a taken
            # address be answered like a free one; without it, say so.
            raise get_adapter().validation_error("email_taken")
        self.account_already_exists = taken
        return value

    def try_save(self, request: HttpRequest) -> tuple[object, object]:
        if self.account_already_exists:
            # The hashing a new account costs, so the time taken doesn't tell.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class AddEmailForm(allauth_forms.AddEmailForm):
    """Changing one's address (ACCOUNT_CHANGE_EMAIL): the new one takes over
    only once its link is followed. An address that belongs to another
    account is answered as if a link were sent, but nothing is stored or
    sent: nobody can claim it, nor learn from the answer that it is taken."""

    def save(self, request: HttpRequest) -> EmailAddress:
        email = self.cleaned_data["email"]
        owner = account_selectors.email_owner(email=email)
        if owner is None or self.user is None or owner.pk == self.user.pk:
            return super().save(request)
        get_adapter(request).add_message(
            request,
            messages.INFO,
            "account/messages/email_confirmation_sent.txt",
            {"email": email, "login": False, "signup": False},
        )
        return EmailAddress(email=email)


class BrandKitForm(forms.Form):
    """The brand kit's words and colours (brand/services.py checks them)."""

    author_name = forms.CharField(label="Author name", max_length=100, required=False)
    handle = forms.CharField(label="Handle", max_length=31, required=False, help_text="With or without @.")
    end_text = forms.CharField(
        label="End slide line",
        max_length=200,
        required=False,
        help_text="Under “Follow @handle” on a carousel's last slide, unless the Studio says otherwise.",
    )
    colours = forms.CharField(
        label="Brand colours",
        required=False,
        help_text="Up to 12, like #1d9bf0, separated by commas or spaces: offered in every colour picker.",
    )

    def changes(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["colours"] = [part for part in data["colours"].replace(",", " ").split() if part]
        return data


class BrandImageForm(forms.Form):
    file = forms.FileField(label="Image", help_text="PNG, JPEG, WebP or GIF.")


class FontUploadForm(forms.Form):
    file = forms.FileField(label="Font file", help_text="TTF, OTF, WOFF or WOFF2, up to 5 MB.")
    family = forms.CharField(
        label="Name it", max_length=100, required=False, help_text="Optional: else the name the font gives itself."
    )
