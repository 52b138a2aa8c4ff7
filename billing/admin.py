from django.contrib import admin

from billing.models import Customer, Event


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "cancel_at_period_end", "period_end", "payment_failed_at", "updated"]
    search_fields = ["user__email", "stripe_customer", "subscription"]
    readonly_fields = [field.name for field in Customer._meta.fields]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "created", "customer", "outcome"]
    list_filter = ["type"]
    search_fields = ["id", "customer__user__email"]
    readonly_fields = [field.name for field in Event._meta.fields]
