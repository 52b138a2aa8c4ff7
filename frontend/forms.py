from typing import Any

from allauth.account import app_settings
from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from rest_framework.exceptions import ErrorDetail

from accounts import selectors as account_selectors
from accounts.models import Plan
from config.errors import ServiceError
from rendering.engine.vocabulary import KIND_FORMATS, SCALES
from rendering.jobs import JobRequest
from rendering.models import Job
from threads.serializers import ThreadWriteSerializer

FORMATS = [("text", "Pasted text (the app's page, numbered posts or paragraphs)"), ("json", "Thread JSON")]
# User text may be in any script: the browser picks each box's direction
# from what is typed in it (Hebrew right to left, English left to right).
AUTO_DIR = {"dir": "auto"}


class ImportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMATS, initial="text", widget=forms.RadioSelect)
    content = forms.CharField(
        label="Paste the thread",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", **AUTO_DIR}),
    )
    json_file = forms.FileField(label="…or choose a JSON file", required=False)
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Optional: we derive one from the first post.",
        widget=forms.TextInput(attrs=AUTO_DIR),
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

    def carried(self) -> "ImportForm":
        """The form to show beside a preview: what was read, a chosen file's
        text included (as JSON, in the box), so that Import sends exactly
        what was previewed. A browser cannot be told to choose a file again."""
        data = self.cleaned_data
        return ImportForm(initial={key: data[key] for key in ("format", "content", "title")})


def in_words(label: str, message: str) -> str:
    """A service's refusal as a sentence that names the field by its label:
    "must be at most 100 characters." under "Author's name" reads "Author's
    name must be at most 100 characters."."""
    if message[:1].islower():
        verb = message.split(" ", 1)[0]
        if verb in ("must", "is", "are", "can", "cannot", "has", "needs"):
            return f"{label} {message}"
        return f"{label}: {message[:1].upper()}{message[1:]}"
    return message if label.lower() in message.lower() else f"{label}: {message}"


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


KIND_CHOICES = [("carousel", "Carousel"), ("cards", "Cards, one per post"), ("thread", "Thread image")]
KIND_NAMES = {"carousel": "Carousels", "cards": "Cards", "thread": "Thread images"}
FORMAT_CHOICES = [
    ("png", "PNG"),
    ("jpeg", "JPEG"),
    ("webp", "WebP"),
    ("pdf", "PDF (carousels)"),
    ("zip", "ZIP of PNGs"),
]
FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "webp": "WebP", "pdf": "PDF", "zip": "ZIP"}
SCALE_CHOICES = [(scale, f"{scale}×") for scale in SCALES]


class ScaleSelect(forms.Select):
    """Every scale, those above the plan's limit shown disabled and marked
    "Pro": what an upgrade gives, without offering what would be refused."""

    allowed = max(SCALES)

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if int(option["value"]) > self.allowed:
            option["attrs"]["disabled"] = True
            option["label"] = f"{option['label']} · Pro"
        return option


class AutoDirSelect(forms.Select):
    """Options that are user text (preset names), each in its own direction."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"].update(AUTO_DIR)
        return option


class AutoDirSelectMultiple(AutoDirSelect, forms.SelectMultiple):
    """The same for a list to choose several from (thread titles)."""


class ExportForm(forms.Form):
    """One thread as cards, a thread image or a carousel."""

    kind = forms.ChoiceField(choices=KIND_CHOICES, initial="carousel")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="pdf")
    scale = forms.TypedChoiceField(
        choices=SCALE_CHOICES, coerce=int, initial=1, widget=ScaleSelect, help_text="Times the design size."
    )
    preset = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Style", widget=AutoDirSelect
    )
    leave_out_images = forms.BooleanField(required=False, label="Leave out images still to add")

    def __init__(self, *args: Any, presets: list[tuple[int, str]], plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        # A plan's limit refused the export: the page offers Pro beside it.
        self.limit_hit = False
        self.fields["preset"].choices = [("", "Default look"), *presets]  # type: ignore[attr-defined]
        self.fields["scale"].widget.allowed = plan.max_scale  # type: ignore[attr-defined]

    def clean_scale(self) -> int:
        scale: int = self.cleaned_data["scale"]
        if scale > self.plan.max_scale:
            self.limit_hit = True
            raise forms.ValidationError(
                f"{scale}× comes with the Pro plan; yours exports at up to {self.plan.max_scale}×."
            )
        return scale

    def clean(self) -> dict:
        data = super().clean() or {}
        kind, fmt = data.get("kind"), data.get("format")
        if kind in KIND_FORMATS and fmt and fmt not in KIND_FORMATS[kind]:
            names = [FORMAT_NAMES[name] for name in KIND_FORMATS[kind]]
            self.add_error(
                "format",
                f"{KIND_NAMES[kind]} come as {', '.join(names[:-1])} or {names[-1]}; "
                f"{FORMAT_NAMES[fmt]} is for carousels.",
            )
        return data

    def placeholders(self) -> str:
        """The job's "placeholders" option, from the box under the warning."""
        return Job.Placeholders.DROP if self.cleaned_data["leave_out_images"] else Job.Placeholders.KEEP

    def job_request(self, *, thread_id: int) -> JobRequest:
        data = self.cleaned_data
        return JobRequest(
            kind=data["kind"],
            threads=[thread_id],
            format=data["format"],
            scale=data["scale"],
            preset=data["preset"],
            placeholders=self.placeholders(),
        )

    def refused(self, error: ServiceError) -> None:
        """Put the service's refusal on the field it names, in words."""
        self.limit_hit = self.limit_hit or error.field == "exports"
        field = SERVICE_FIELDS.get(error.field or "", error.field)
        if field in self.fields:
            self.add_error(field, in_words(str(self[field].label), error.message))
        else:
            self.add_error(None, sentence(error.message))


# The job service's names for what the forms call otherwise.
SERVICE_FIELDS = {"thread": "threads"}


class BulkExportForm(ExportForm):
    """Several threads (or all of them) in one ZIP, a folder each."""

    kind = None  # type: ignore[assignment]  # always "bulk"
    threads = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        help_text="None chosen: all threads. Hold Ctrl (⌘ on a Mac) to choose several.",
        widget=AutoDirSelectMultiple(attrs={"size": 6}),
    )
    kinds = forms.MultipleChoiceField(
        choices=KIND_CHOICES,
        initial=["carousel"],
        widget=forms.CheckboxSelectMultiple,
        label="Each thread as",
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES[:4], initial="png", label="Images as")

    def __init__(self, *args: Any, threads: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["threads"].choices = threads  # type: ignore[attr-defined]

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("format") == "pdf" and set(data.get("kinds") or ()) - {"carousel"}:
            self.add_error(
                "format",
                "PDF is for carousels only: under “Each thread as” tick only Carousel, "
                "or choose PNG, JPEG or WebP.",
            )
        self.check_thread_count(data.get("threads"))
        return data

    def check_thread_count(self, chosen: list[int] | None) -> None:
        most = self.plan.bulk_max_threads
        if chosen and len(chosen) > most:
            self.limit_hit = True
            self.add_error(
                "threads", f"Your plan exports up to {most} threads at once; you chose {len(chosen)}."
            )
        owned = len(self.fields["threads"].choices)  # type: ignore[attr-defined]
        if chosen == [] and owned > most:
            self.limit_hit = True
            self.add_error(
                "threads",
                f"Your plan exports up to {most} threads at once and you have {owned}: choose up to {most}.",
            )

    def job_request(self, *, thread_id: int | None = None) -> JobRequest:
        data = self.cleaned_data
        return JobRequest(
            kind="bulk",
            threads=data["threads"] or "all",
            kinds=tuple(data["kinds"]),
            format=data["format"],
            scale=data["scale"],
            preset=data["preset"],
            placeholders=self.placeholders(),
        )


class PostEditForm(forms.Form):
    text = forms.CharField(
        label="Post text", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 10, **AUTO_DIR})
    )


class PostMoveForm(forms.Form):
    """Where a post goes: the Move up and Move down buttons, or a drop in the list."""

    to = forms.IntegerField(min_value=1, label="Move to")


class PostImageForm(forms.Form):
    file = forms.FileField(
        label="Add an image",
        help_text="PNG, JPEG, WebP or GIF.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    alt = forms.CharField(
        label="Describe it (alt text)",
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs=AUTO_DIR),
    )


AUTHOR_FIELDS = ("title", "author_name", "handle")


class ThreadAuthorForm(forms.Form):
    """A thread's title and author, checked by the API's own serializer:
    the page refuses exactly what PATCH /api/v1/threads/{id}/ refuses."""

    title = forms.CharField(label="Title", required=False, widget=forms.TextInput(attrs=AUTO_DIR))
    author_name = forms.CharField(
        label="Author's name", required=False, widget=forms.TextInput(attrs=AUTO_DIR)
    )
    handle = forms.CharField(
        label="Handle",
        required=False,
        help_text="Letters, digits or underscores, with or without @.",
        widget=forms.TextInput(attrs={"placeholder": "@handle", "autocomplete": "off", **AUTO_DIR}),
    )
    avatar = forms.FileField(
        label="Avatar",
        required=False,
        help_text="A picture of the author: PNG, JPEG, WebP or GIF; square looks best.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        checked = ThreadWriteSerializer(data={key: data.get(key, "") for key in AUTHOR_FIELDS}, partial=True)
        if checked.is_valid():
            data.update(checked.validated_data)
            return data
        for field, problems in checked.errors.items():
            for problem in problems:
                self.add_error(field, self.problem_in_words(field, problem))
        return data

    def problem_in_words(self, field: str, problem: ErrorDetail) -> str:
        label = str(self.fields[field].label)
        if problem.code in ("blank", "required", "null"):
            return f"{label} cannot be empty."
        if problem.code == "max_length":
            limit = getattr(ThreadWriteSerializer().fields[field], "max_length", None)
            return f"{label} can be at most {limit} characters."
        return in_words(label, str(problem))

    def changes(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in AUTHOR_FIELDS}

    def refused(self, error: ServiceError) -> None:
        field = "avatar" if error.field == "file" else error.field
        if field in self.fields:
            self.add_error(field, in_words(str(self.fields[field].label), error.message))
        else:
            self.add_error(None, sentence(error.message))


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Where you will use it, e.g. “laptop” or “Zapier”.",
        widget=forms.TextInput(attrs=AUTO_DIR),
    )


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Address",
        required=False,
        strip=False,  # the service strips and checks it, as for the API
        widget=forms.TextInput(
            attrs={"placeholder": "https://example.com/thread-navigator", "inputmode": "url", **AUTO_DIR}
        ),
    )

    def refused(self, error: ServiceError) -> None:
        self.add_error("url", in_words("Address", error.message))


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
        label="Name it",
        max_length=100,
        required=False,
        help_text="Optional: else the name the font gives itself.",
    )
