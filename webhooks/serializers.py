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
    """The owner's view of a delivery: whether it arrived and the class of
    the last answer, never the exact status, error text or timing (which
    would let the log probe ports and hosts)."""

    class Meta:
        model = Delivery
        fields = [
            "id", "event", "status", "attempts", "answer", "created", "delivered", "next_attempt", "payload",
        ]  # fmt: skip
        read_only_fields = fields
