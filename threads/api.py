import dataclasses
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in_user
from accounts.models import ApiToken, User
from config.api import ERROR_RESPONSES
from config.errors import Invalid, NotFound
from config.viewsets import OwnedViewSet
from threads import selectors, services
from threads.importers import ImportedPost, ImportedThread
from threads.models import PostImage, StylePreset, Thread
from threads.serializers import (
    AvatarUploadSerializer,
    ImageUploadSerializer,
    ImportSerializer,
    PostImageSerializer,
    PresetPatchSerializer,
    PresetSerializer,
    PresetWriteSerializer,
    ThreadCreateSerializer,
    ThreadSerializer,
    ThreadSummarySerializer,
    ThreadWriteSerializer,
)

UPLOAD_PARSERS = [MultiPartParser, FormParser]


def stored_file_response(name: str, content_type: str) -> FileResponse:
    response = FileResponse(
        default_storage.open(name), content_type=content_type or "application/octet-stream"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


class ThreadViewSet(OwnedViewSet):
    model = Thread
    # The browser extension's token adds threads and nothing else.
    token_scopes = {
        ApiToken.Scope.IMPORT: frozenset({"create", "import_thread", "retrieve", "avatar", "confirm"})
    }

    def scoped_queryset(self, user: User) -> QuerySet[Thread]:
        if self.action == "list":
            return selectors.thread_list(
                user=user,
                search=self.request.query_params.get("search", "").strip(),
                ordering=self.request.query_params.get("ordering", "-updated"),
            )
        return selectors.thread_details(user=user)

    def detail_response(self, thread: Thread, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.thread_details(user=signed_in_user(self.request)).get(pk=thread.pk)
        return Response(
            ThreadSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Part of the title, any case."),
            OpenApiParameter(
                "ordering", str, enum=sorted(selectors.THREAD_ORDERINGS), description="Default -updated."
            ),
        ],
        responses={200: ThreadSummarySerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ThreadSummarySerializer(page, many=True).data)

    @extend_schema(
        request=ThreadCreateSerializer,
        responses={201: ThreadSerializer, 200: ThreadSerializer, **ERROR_RESPONSES},
    )
    def create(self, request: Request) -> Response:
        """Save a thread. With a `source_url` on X (`…/status/<id>`), saving
        the same thread again updates it: 200 instead of 201."""
        serializer = ThreadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        imported = ImportedThread(
            title=data["title"],
            author_name=data["author_name"],
            handle=data["handle"],
            avatar_url=data["avatar_url"] or None,
            posts=tuple(ImportedPost(text=post.get("text", ""), images=()) for post in data["posts"]),
        )
        imported = dataclasses.replace(imported, source_url=data["source_url"])
        thread, created = services.thread_save_imported(owner=signed_in_user(request), imported=imported)
        return self.detail_response(thread, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={200: ThreadSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ThreadSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(request=ThreadWriteSerializer, responses={200: ThreadSerializer, **ERROR_RESPONSES})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change fields; with `posts`, the thread's posts become exactly that
        list in that order: `{"id": 7}` keeps post 7, `{"id": 7, "text": "…"}`
        edits it, `{"text": "…"}` adds one; posts left out are removed."""
        thread = self.get_object()
        serializer = ThreadWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        posts = data.pop("posts", None)
        arrangement = data.pop("arrangement", None)
        style_draft = data.pop("style_draft", None)
        user = signed_in_user(request)
        remember = "preset" in data
        applied = visible_preset(user, data.pop("preset", None))
        edits = None if posts is None else [services.PostEdit(**post) for post in posts]
        thread = services.thread_update(
            thread=thread, changes=data, posts=edits, arrangement=arrangement, style_draft=style_draft
        )
        if remember:
            services.preset_remember(user=user, preset=applied)
        return self.detail_response(thread)

    @extend_schema(responses={204: None, **ERROR_RESPONSES})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.thread_delete(thread=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ImportSerializer,
        responses={201: ThreadSerializer, 200: ThreadSerializer, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_thread(self, request: Request) -> Response:
        """Import a thread from pasted text or the thread JSON (see the README):
        `{"format": "json", "content": {"title": "…", "source_url":
        "https://x.com/…/status/…", "author": {"name": "…", "handle": "…",
        "avatar_url": "…"}, "posts": [{"id": "…", "text": "…", "images":
        [{"url": "…", "alt": "…"}]}]}}`. A thread from X (posts with their
        `id`, or a `source_url`) imported again updates the saved one and
        answers 200, never a second copy; a new one answers 201."""
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        thread, created = services.thread_import_saved(
            owner=signed_in_user(request), **serializer.validated_data
        )
        return self.detail_response(thread, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: ThreadSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Finish a draft import without the pictures it still waits for:
        they stay as images to add (upload them later, or export without)."""
        return self.detail_response(services.thread_confirm(thread=self.get_object()))

    @extend_schema(methods=["GET"], responses={(200, "image/*"): OpenApiTypes.BINARY, **ERROR_RESPONSES})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AvatarUploadSerializer},
        responses={200: ThreadSerializer, **ERROR_RESPONSES},
    )
    @extend_schema(methods=["DELETE"], request=None, responses={200: ThreadSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get", "post", "delete"], parser_classes=UPLOAD_PARSERS)
    def avatar(self, request: Request, pk: str) -> Response | FileResponse:
        """GET the avatar image; POST a new one (multipart `file`); DELETE it
        (the thread's images then show the author's initial)."""
        thread = self.get_object()
        if request.method == "GET":
            if not thread.avatar:
                raise NotFound("This thread has no avatar image.")
            return stored_file_response(thread.avatar.name, "")
        if request.method == "DELETE":
            return self.detail_response(services.thread_remove_avatar(thread=thread))
        serializer = AvatarUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        thread = services.thread_set_avatar(thread=thread, upload=serializer.validated_data["file"])
        return self.detail_response(thread)


def visible_preset(user: User, preset_id: int | None) -> StylePreset | None:
    """The preset `preset_id` among those `user` may see (None for None)."""
    if preset_id is None:
        return None
    preset = selectors.presets_visible_to(user=user).filter(pk=preset_id).first()
    if preset is None:
        raise Invalid(f"you have no preset {preset_id}.", field="preset")
    return preset


class PostImageViewSet(OwnedViewSet):
    model = PostImage
    parser_classes = UPLOAD_PARSERS
    token_scopes = {ApiToken.Scope.IMPORT: frozenset({"create"})}

    def scoped_queryset(self, user: User) -> QuerySet[PostImage]:
        return PostImage.objects.filter(
            post__thread__owner=user,
            post__thread_id=self.kwargs["thread_id"],
            post__position=self.kwargs["position"],
        ).select_related("post")

    @extend_schema(
        request={"multipart/form-data": ImageUploadSerializer},
        responses={201: PostImageSerializer, **ERROR_RESPONSES},
    )
    def create(self, request: Request, thread_id: str, position: str) -> Response:
        """Upload an image to post `position` (counting from 1). It fills
        the placeholder `placeholder` (an image id) when given, else the
        post's first image placeholder, if any. The last awaited picture of
        a draft import completes it."""
        thread = selectors.threads_of(user=signed_in_user(request)).filter(pk=thread_id).first()
        if thread is None:
            raise NotFound("No such thread.")
        post = services.post_at(thread=thread, position=int(position))
        serializer = ImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image = services.post_image_add(
            post=post, upload=data["file"], alt=data["alt"], placeholder=data["placeholder"]
        )
        return Response(
            PostImageSerializer(image, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY, **ERROR_RESPONSES})
    def retrieve(self, request: Request, thread_id: str, position: str, pk: str) -> FileResponse:
        """The image file."""
        image = self.get_object()
        if image.is_placeholder:
            raise NotFound("This image is a placeholder: upload the image to fill it.")
        return stored_file_response(image.file.name, image.content_type)

    @extend_schema(responses={204: None, **ERROR_RESPONSES})
    def destroy(self, request: Request, thread_id: str, position: str, pk: str) -> Response:
        services.post_image_delete(image=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PresetViewSet(OwnedViewSet):
    model = StylePreset

    def scoped_queryset(self, user: User) -> QuerySet[StylePreset]:
        return selectors.presets_visible_to(user=user)

    @extend_schema(responses={200: PresetSerializer(many=True), **ERROR_RESPONSES})
    def list(self, request: Request) -> Response:
        """Your presets and the built-in ones (`is_builtin: true`, read-only)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PresetSerializer(page, many=True).data)

    @extend_schema(request=PresetWriteSerializer, responses={201: PresetSerializer, **ERROR_RESPONSES})
    def create(self, request: Request) -> Response:
        serializer = PresetWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preset = services.preset_create(owner=signed_in_user(request), **serializer.validated_data)
        return Response(PresetSerializer(preset).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: PresetSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PresetSerializer(self.get_object()).data)

    @extend_schema(request=PresetPatchSerializer, responses={200: PresetSerializer, **ERROR_RESPONSES})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Rename and/or replace the style document (missing keys take the defaults)."""
        serializer = PresetPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preset = services.preset_update(
            preset=self.get_object(), user=signed_in_user(request), **serializer.validated_data
        )
        return Response(PresetSerializer(preset).data)

    @extend_schema(responses={204: None, **ERROR_RESPONSES})
    def destroy(self, request: Request, pk: str) -> Response:
        services.preset_delete(preset=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
