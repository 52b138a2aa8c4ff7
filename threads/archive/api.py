"""POST /api/v1/threads/import-archive/: an X archive ZIP in, a job out."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in_user
from config.api import ERROR_RESPONSES, ErrorSerializer
from rendering.serializers import JobSerializer
from threads.archive import services


class ArchiveUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The ZIP from X's “Settings → Your account → Download an archive of your data”, as it came."
    )
    min_posts = serializers.IntegerField(
        required=False,
        default=2,
        min_value=1,
        max_value=services.MIN_POSTS_MOST,
        help_text="The fewest posts a chain of your self-replies needs to become a thread (default 2).",
    )


class ArchiveImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="threads_import_archive",
        request={"multipart/form-data": ArchiveUploadSerializer},
        responses={
            202: OpenApiResponse(
                JobSerializer,
                description="The import's job (kind archive_import). Follow it at GET /api/v1/jobs/{id}/: "
                "`progress` counts threads saved of those found; once succeeded, `result` is "
                '{"threads": [ids, oldest thread first], "created", "updated", "unchanged", '
                '"pictures" (attached from the archive), "pictures_missing" (videos, files the '
                'archive lacks), "skipped": [{"source_url", "posts", "reason"}]}.',
            ),
            **ERROR_RESPONSES,
            409: OpenApiResponse(ErrorSerializer, description="An archive import of yours is under way."),
        },
    )
    def post(self, request: Request) -> Response:
        """Import every thread of an X archive: each chain of your own
        replies to yourself (from a post that replies to no one, at least
        `min_posts` long) becomes a saved thread with its text (links
        expanded, the pictures' link dropped), its pictures from the
        archive, your avatar and `source_url`. Importing the same archive
        again updates those threads and never duplicates them.

        The upload is stored and read by a worker without unpacking it;
        ZIP bombs, unsafe file names, files that are not ZIPs and archives
        without data/tweets.js are refused (a 400 naming `file` here, or a
        failed job with the reason). One archive import runs at a time per
        account; it charges no exports."""
        upload = ArchiveUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        job = services.archive_import_start(
            user=signed_in_user(request),
            upload=upload.validated_data["file"],
            min_posts=upload.validated_data["min_posts"],
        )
        return Response(
            JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )
