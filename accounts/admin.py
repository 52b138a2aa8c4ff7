from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest

from accounts import services
from accounts.models import ApiToken, MonthlyUsage, Plan, User
from config.errors import ServiceError


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "price_per_month_cents",
        "exports_per_month",
        "max_scale",
        "watermark_forced",
        "bulk_max_threads",
        "api_requests_per_minute",
        "shows_ads",
        "max_running_jobs",
        "previews_per_minute",
        "previews_per_day",
        "fast_export",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Plan | None = None) -> bool:
        # Users point at plans; the two built-in tiers are referenced by code.
        return False


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PasswordChangeForm(AdminPasswordChangeForm):
    """A password set by staff ends the user's tokens and sessions like one
    they set themselves. When staff change their own, the admin then moves
    their session to a new key (update_session_auth_hash), so it stays."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            services.password_changed(user=user, keep_session_key=None)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    change_password_form = PasswordChangeForm
    actions = ["verify_email"]
    ordering = ["email"]
    list_display = ["email", "plan", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["plan", "is_active", "is_staff"]
    list_select_related = ["plan"]
    search_fields = ["email"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Plan", {"fields": ("plan",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.action(description="Mark their email address verified (lets them create API tokens)")
    def verify_email(self, request: HttpRequest, queryset: Any) -> None:
        # For accounts made here or by createsuperuser, which no link verified.
        for user in queryset:
            try:
                services.email_verify(user=user)
            except ServiceError as exc:
                self.message_user(request, f"{user.email}: {exc.message}", messages.ERROR)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked here; they are created by their owner,
    the only person who ever sees the secret."""

    list_display = ["name", "display_prefix", "user", "created", "expiry", "last_used"]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    fields = ["name", "user", "display_prefix", "created", "expiry", "last_used"]
    readonly_fields = ["user", "display_prefix", "created", "last_used"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(MonthlyUsage)
class MonthlyUsageAdmin(admin.ModelAdmin):
    list_display = ["user", "month", "exports"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "month"
