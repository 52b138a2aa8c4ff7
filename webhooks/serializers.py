from rest_framework import serializers

from webhooks.models import Delivery, Endpoint


class EndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "events",
            "secret",
            "active",
            "consecutive_failures",
            "disabled_reason",
            "created",
        ]
        read_only_fields = fields


class EndpointWriteSerializer(serializers.Serializer):
    """Shapes only; webhooks.services checks meaning and names the field."""

    url = serializers.CharField(required=False, help_text="https://… (called with POST).")
    events = serializers.JSONField(
        required=False, help_text='Events to hear; all when empty: "job.succeeded", "job.failed".'
    )
    active = serializers.JSONField(
        required=False, help_text="false to pause, true to re-enable after failures."
    )


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id", "event", "status", "attempts", "response_status", "error", "created", "delivered",
            "next_attempt", "duration_ms", "payload",
        ]  # fmt: skip
        read_only_fields = fields
