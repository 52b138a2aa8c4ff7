"""/api/v1/brand/: the signed-in user's brand kit and fonts."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in_user
from brand import selectors, services
from brand.serializers import (
    BrandImageUploadSerializer,
    BrandKitSerializer,
    BrandKitUpdateSerializer,
    CustomFontSerializer,
    FontUploadSerializer,
)
from config.api import ERROR_RESPONSES
from config.errors import NotFound
from threads.api import stored_file_response

UPLOAD_PARSERS = [MultiPartParser, FormParser]


class BrandKitView(APIView):
    """What new threads and designs start from: author, avatar, logo,
    colours offered in every picker, the end slide's line."""

    @extend_schema(responses={200: BrandKitSerializer, **ERROR_RESPONSES})
    def get(self, request: Request) -> Response:
        kit = services.brand_kit_of(owner=signed_in_user(request))
        return Response(BrandKitSerializer(kit).data)

    @extend_schema(request=BrandKitUpdateSerializer, responses={200: BrandKitSerializer, **ERROR_RESPONSES})
    def patch(self, request: Request) -> Response:
        serializer = BrandKitUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kit = services.brand_kit_update(
            owner=signed_in_user(request), changes=dict(serializer.validated_data)
        )
        return Response(BrandKitSerializer(kit).data)


class BrandImageView(APIView):
    """The kit's default avatar or logo: GET the image, POST a new one
    (multipart `file`), DELETE it."""

    parser_classes = UPLOAD_PARSERS

    def stored(self, request: Request, which: str) -> Any:
        if which not in services.IMAGES:
            raise NotFound("A brand kit has an avatar and a logo.")
        return getattr(services.brand_kit_of(owner=signed_in_user(request)), which)

    @extend_schema(
        operation_id="brand_image_retrieve",
        responses={(200, "image/*"): OpenApiTypes.BINARY, **ERROR_RESPONSES},
    )
    def get(self, request: Request, which: str) -> Any:
        image = self.stored(request, which)
        if not image:
            raise NotFound(f"Your brand kit has no {which}.")
        return stored_file_response(image.name, "")

    @extend_schema(
        operation_id="brand_image_upload",
        request={"multipart/form-data": BrandImageUploadSerializer},
        responses={200: BrandKitSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request, which: str) -> Response:
        self.stored(request, which)
        serializer = BrandImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kit = services.brand_image_set(
            owner=signed_in_user(request), which=which, upload=serializer.validated_data["file"]
        )
        return Response(BrandKitSerializer(kit).data)

    @extend_schema(
        operation_id="brand_image_destroy",
        request=None,
        responses={200: BrandKitSerializer, **ERROR_RESPONSES},
    )
    def delete(self, request: Request, which: str) -> Response:
        self.stored(request, which)
        kit = services.brand_image_remove(owner=signed_in_user(request), which=which)
        return Response(BrandKitSerializer(kit).data)


class FontListView(APIView):
    """The user's uploaded fonts; POST adds one (multipart `file`, `family`)."""

    parser_classes = UPLOAD_PARSERS

    @extend_schema(responses={200: CustomFontSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request: Request) -> Response:
        fonts = selectors.fonts_of(user=signed_in_user(request))
        return Response(CustomFontSerializer(fonts, many=True).data)

    @extend_schema(
        request={"multipart/form-data": FontUploadSerializer},
        responses={201: CustomFontSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        serializer = FontUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        font = services.font_add(owner=signed_in_user(request), upload=data["file"], family=data["family"])
        return Response(CustomFontSerializer(font).data, status=status.HTTP_201_CREATED)


class FontDetailView(APIView):
    @extend_schema(request=None, responses={204: None, **ERROR_RESPONSES})
    def delete(self, request: Request, pk: int) -> Response:
        font = selectors.fonts_of(user=signed_in_user(request)).filter(pk=pk).first()
        if font is None:
            raise NotFound("No such font.")
        services.font_delete(font=font)
        return Response(status=status.HTTP_204_NO_CONTENT)
