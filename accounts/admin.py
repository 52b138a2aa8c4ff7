from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest

from accounts.models import ApiToken, MonthlyUsage, Plan, User


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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
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
