from collections.abc import Sequence
from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.authentication import signed_in_user
from accounts.models import ApiToken
from accounts.serializers import (
    MeSerializer,
    NewTokenSerializer,
    SignupAnswerSerializer,
    SignupSerializer,
    TokenCreateSerializer,
    TokenSerializer,
    UsageSerializer,
    UserSerializer,
)
from accounts.throttles import SignupThrottle, TokenCreateThrottle
from config.api import ERROR_RESPONSES


class SignupApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [SignupThrottle]

    @extend_schema(request=SignupSerializer, responses={202: SignupAnswerSerializer, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        """Sign up: a link to verify the address is mailed to it, and API
        tokens can be made once it is followed. The answer is the same
        whether or not the address already has an account (its owner is
        mailed instead), so it tells nobody who has one."""
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = services.user_signup(request=request._request, **serializer.validated_data)
        answer = {"email": email, "detail": "Check your inbox to verify your address."}
        return Response(SignupAnswerSerializer(answer).data, status=status.HTTP_202_ACCEPTED)


class TokenListCreateApi(generics.ListAPIView):
    serializer_class = TokenSerializer

    def get_queryset(self) -> Any:
        return selectors.tokens_for_user(user=signed_in_user(self.request))

    @extend_schema(responses={200: TokenSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_permissions(self) -> Sequence[Any]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return super().get_permissions()

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [TokenCreateThrottle()]
        return super().get_throttles()

    @extend_schema(request=TokenCreateSerializer, responses={201: NewTokenSerializer, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        """Create a token with your email and password, or from a signed-in
        website session, once your address is verified (403 naming `email`
        before). The secret is in the answer and never again. `expires_in`
        (seconds) makes a token that stops working after that long."""
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = self.token_owner(request, data)
        token, secret = services.token_create(user=user, name=data["name"], expires_in=data["expires_in"])
        token.token = secret
        return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def token_owner(self, request: Request, data: dict[str, Any]) -> Any:
        if "email" in data:
            user = authenticate(request._request, username=data["email"], password=data["password"])
            if user is None:
                raise exceptions.ValidationError(
                    {"password": ["Unable to sign in with this email and password."]}
                )
            return user
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(
                "Give your email and password (or sign in on the website) to create a token."
            )
        if request.auth is not None:
            raise exceptions.PermissionDenied("A token cannot create tokens: give your email and password.")
        return request.user


class TokenDestroyApi(APIView):
    @extend_schema(responses={204: None, **ERROR_RESPONSES})
    def delete(self, request: Request, token_id: int) -> Response:
        """Revoke a token: it stops working at once."""
        services.token_revoke(user=signed_in_user(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    token_scopes = {ApiToken.Scope.IMPORT: frozenset({"get"})}

    @extend_schema(responses={200: MeSerializer, **ERROR_RESPONSES})
    def get(self, request: Request) -> Response:
        """Your account: email, plan with its limits, and this month's use."""
        user = signed_in_user(request)
        usage = UsageSerializer(selectors.usage_this_month(user=user)).data
        return Response({**UserSerializer(user).data, "usage": usage})
