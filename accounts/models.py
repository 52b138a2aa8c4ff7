import datetime
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from knox.models import AbstractAuthToken, AuthTokenManager
from knox.settings import CONSTANTS


class Plan(models.Model):
    """A price tier. Every limit the app enforces is a column here, so the
    admin can tune them without a deploy. The rows `free` and `pro` are made
    by a migration."""

    FREE = "free"
    PRO = "pro"

    code = models.SlugField(primary_key=True, max_length=20)
    name = models.CharField(max_length=50)
    price_per_month_cents = models.PositiveIntegerField(default=0)
    exports_per_month = models.PositiveIntegerField()
    max_scale = models.PositiveSmallIntegerField()
    watermark_forced = models.BooleanField()
    bulk_max_threads = models.PositiveIntegerField()
    api_requests_per_minute = models.PositiveIntegerField()
    shows_ads = models.BooleanField()
    max_running_jobs = models.PositiveIntegerField(
        default=2, help_text="Exports a user may have queued or running at once; past it, a 429."
    )
    previews_per_minute = models.PositiveIntegerField(
        default=240, help_text="Editor previews a minute, apart from the API's requests a minute."
    )
    previews_per_day = models.PositiveIntegerField(
        default=2000, help_text="Editor previews a day: enough to design, too few to export through."
    )
    fast_export = models.BooleanField(
        default=False, help_text="Exports go to the fast queue, which every worker serves first."
    )

    class Meta:
        ordering = ["price_per_month_cents", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def price_display(self) -> str:
        dollars, cents = divmod(self.price_per_month_cents, 100)
        return f"${dollars}" if not cents else f"${dollars}.{cents:02d}"

    def limits(self) -> dict[str, int | bool]:
        return {
            "exports_per_month": self.exports_per_month,
            "max_scale": self.max_scale,
            "watermark_forced": self.watermark_forced,
            "bulk_max_threads": self.bulk_max_threads,
            "api_requests_per_minute": self.api_requests_per_minute,
            "shows_ads": self.shows_ads,
            "max_running_jobs": self.max_running_jobs,
            "previews_per_minute": self.previews_per_minute,
            "previews_per_day": self.previews_per_day,
            "fast_export": self.fast_export,
        }


def normalize_email(email: str) -> str:
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A person with an account. The email address is the login; it is stored
    lower-cased and unique whatever its case."""

    email = models.EmailField("email address", max_length=254, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, default=Plan.FREE, related_name="users")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    last_preset = models.ForeignKey(
        "threads.StylePreset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The preset last applied in the visual editor: the editor starts from it.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def normalize_username(cls, username: str) -> str:
        return normalize_email(super().normalize_username(username))


class ApiTokenManager(AuthTokenManager):
    def get_queryset(self) -> models.QuerySet["ApiToken"]:
        # Every API request reads its user's plan (rate limit, limits): the
        # token lookup brings it along instead of a second query.
        return super().get_queryset().select_related("user__plan")


class ApiToken(AbstractAuthToken):
    """A named API key. Only a hash of the secret is stored (knox); the id,
    name and first characters identify it in lists without revealing it."""

    objects: ClassVar[ApiTokenManager] = ApiTokenManager()  # type: ignore[assignment]

    class Scope(models.TextChoices):
        FULL = "full", "Everything the account can do"
        IMPORT = "import", "Add threads and their pictures (the browser extension)"

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.FULL)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "-created"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self) -> str:
        return self.token_key[:8]

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


def month_start(moment: datetime.datetime | None = None) -> datetime.date:
    moment = moment or timezone.now()
    return moment.date().replace(day=1)


def next_month_start(start: datetime.date) -> datetime.date:
    return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


class MonthlyUsage(models.Model):
    """What a user used in one calendar month (UTC). Quotas are checked and
    counted on this row under a lock, never by counting jobs."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="monthly_usage")
    month = models.DateField(help_text="First day of the month, UTC.")
    exports = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="accounts_usage_one_row_per_month"),
        ]
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.user} {self.month:%Y-%m}: {self.exports} exports"
