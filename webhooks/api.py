from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in_user
from accounts.models import User
from config.api import ERROR_RESPONSES
from config.viewsets import OwnedViewSet
from webhooks import services
from webhooks.models import Endpoint
from webhooks.serializers import DeliverySerializer, EndpointSerializer, EndpointWriteSerializer


class EndpointViewSet(OwnedViewSet):
    """Your webhook endpoints. Each finished job (succeeded or failed) is
    POSTed to every active endpoint that hears its event, signed in the
    X-ThreadNavigator-Signature header; see the README for the recipe."""

    model = Endpoint

    def scoped_queryset(self, user: User) -> QuerySet[Endpoint]:
        return Endpoint.objects.filter(owner=user)

    @extend_schema(responses={200: EndpointSerializer(many=True), **ERROR_RESPONSES})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EndpointSerializer(page, many=True).data)

    @extend_schema(request=EndpointWriteSerializer, responses={201: EndpointSerializer, **ERROR_RESPONSES})
    def create(self, request: Request) -> Response:
        serializer = EndpointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = services.endpoint_create(
            owner=signed_in_user(request), url=data.get("url"), events=data.get("events")
        )
        return Response(EndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: EndpointSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(EndpointSerializer(self.get_object()).data)

    @extend_schema(request=EndpointWriteSerializer, responses={200: EndpointSerializer, **ERROR_RESPONSES})
    def partial_update(self, request: Request, pk: str) -> Response:
        serializer = EndpointWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(
            endpoint=self.get_object(), changes=dict(serializer.validated_data)
        )
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None, **ERROR_RESPONSES})
    def destroy(self, request: Request, pk: str) -> Response:
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: DeliverySerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        """The delivery log, newest first."""
        page = self.paginate_queryset(self.get_object().deliveries.all())
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
