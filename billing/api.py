from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import services
from config.api import ErrorSerializer


class WebhookAnswerSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.CharField(help_text="What the event did: a plan change, nothing, already applied.")


class StripeWebhookView(APIView):
    """Stripe's events about subscriptions and payments. Signed by Stripe
    in the Stripe-Signature header with the endpoint's secret
    (STRIPE_WEBHOOK_SECRET); anything else is a 400 and changes nothing.
    A 404 where billing is not set up."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list[type] = []

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(
                services.SIGNATURE_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True
            )
        ],
        responses={200: WebhookAnswerSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        outcome = services.event_receive(
            payload=request.body, signature=request.headers.get(services.SIGNATURE_HEADER)
        )
        return Response({"received": True, "outcome": outcome})
