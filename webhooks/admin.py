from django.contrib import admin

from webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "consecutive_failures", "created"]
    list_filter = ["active"]
    search_fields = ["url", "owner__email"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "answer", "response_status", "created"]
    list_filter = ["status", "answer", "event"]
