from typing import Any

from django.core import signing
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in_user
from accounts.models import User
from accounts.throttles import PreviewThrottle
from config.api import ERROR_RESPONSES, ErrorSerializer
from config.errors import Conflict, Forbidden, Invalid
from config.viewsets import OwnedViewSet
from rendering import jobs, previews, quotes, selectors
from rendering.models import Job
from rendering.serializers import (
    JobCreatedSerializer,
    JobCreateSerializer,
    JobQuoteSerializer,
    JobSerializer,
    PreviewSerializer,
    SlidesResponseSerializer,
    SlidesSerializer,
    download_token_owner,
)

JOB_ERRORS = {**ERROR_RESPONSES, 409: ErrorSerializer}


class JobViewSet(OwnedViewSet):
    model = Job

    def scoped_queryset(self, user: User) -> QuerySet[Job]:
        return selectors.jobs_of(user=user)

    def respond(self, job: Job, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(JobSerializer(job, context={"request": self.request}).data, status=status_code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Job.Status.values, description="Only jobs in this state.")
        ],
        responses={200: JobSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        jobs_list = self.get_queryset()
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in Job.Status.values:
                raise Invalid(f"must be one of {', '.join(Job.Status.values)}.", field="status")
            jobs_list = jobs_list.filter(status=wanted)
        page = self.paginate_queryset(jobs_list)
        return self.get_paginated_response(JobSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(responses={200: JobSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(self.get_object())

    @extend_schema(
        request=JobCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retry safely: the same key and body give the same job; another body is a 409. "
                "A request with a key is answered by its key alone, never with an identical export's job.",
            )
        ],
        responses={
            202: OpenApiResponse(JobCreatedSerializer, description="A new job, queued and charged."),
            200: OpenApiResponse(
                JobCreatedSerializer,
                description="An identical export's job (`deduplicated`, `X-Deduplicated: true`): "
                "nothing made, nothing charged.",
            ),
            **JOB_ERRORS,
        },
    )
    def create(self, request: Request) -> Response:
        job, outcome = jobs.job_create(
            user=signed_in_user(request),
            request=job_request(request),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        reused = outcome == jobs.JobOutcome.REUSED
        response = Response(
            JobCreatedSerializer(job, context={"request": request, "deduplicated": reused}).data,
            status=status.HTTP_200_OK if reused else status.HTTP_202_ACCEPTED,
        )
        if outcome == jobs.JobOutcome.REPLAYED:
            response["Idempotent-Replayed"] = "true"
        if reused:
            response["X-Deduplicated"] = "true"
        return response

    @extend_schema(request=JobCreateSerializer, responses={200: JobQuoteSerializer, **ERROR_RESPONSES})
    # The editor asks again as the design changes, as it previews: counted
    # with the previews, never against the plan's API requests a minute,
    # which its exports and their polling need.
    @action(detail=False, methods=["post"], throttle_classes=[PreviewThrottle])
    def quote(self, request: Request) -> Response:
        """What creating a job with this body would cost, before making it:
        checked as creation checks it (a 400 names the field), nothing
        rendered, charged or made."""
        quote = quotes.job_quote(user=signed_in_user(request), request=job_request(request))
        return Response(JobQuoteSerializer(quote).data, headers={"Cache-Control": "private, no-store"})

    @extend_schema(request=None, responses={200: JobSerializer, **JOB_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self.respond(jobs.job_cancel(job=self.get_object()))

    @extend_schema(
        parameters=[
            OpenApiParameter("token", str, required=True, description="From the job's download_url.")
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **JOB_ERRORS,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> HttpResponse | FileResponse:
        """The job's file, through the signed link in `result.download_url`:
        it expires (15 minutes by default) and only works for its owner."""
        job = self.get_object()
        try:
            owner = download_token_owner(request.query_params.get("token", ""), job.pk)
        except signing.SignatureExpired:
            raise Forbidden(
                "the download link has expired; fetch the job again for a new one.", field="token"
            ) from None
        except signing.BadSignature:
            owner = None
        if owner != signed_in_user(request).pk:
            raise Forbidden("the download link is not valid.", field="token")
        if job.status != Job.Status.SUCCEEDED or not job.result:
            raise Conflict(f"the job has no file to download (it is {job.status}).", field="status")
        return file_response(job)


def job_request(request: Request) -> jobs.JobRequest:
    """A job's body (creating or quoting it), its shapes checked."""
    serializer = JobCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    # `thread` for one thread, `threads` for a bulk export; the other is ignored.
    bulk = data["kind"] == Job.Kind.BULK
    threads = data["threads"] if (bulk or "thread" not in data) and "threads" in data else [data["thread"]]
    return jobs.JobRequest(
        kind=data["kind"],
        threads=threads,
        format=data["format"],
        scale=data["scale"],
        kinds=tuple(data.get("kinds", ())),
        preset=data.get("preset"),
        style=data.get("style"),
        carousel=data.get("carousel"),
        placeholders=data["placeholders"],
    )


def file_response(job: Job) -> HttpResponse | FileResponse:
    name = str(job.result.name)
    if getattr(default_storage, "bucket_name", None):
        # S3: a short presigned link that names the file the same way.
        url = default_storage.url(  # type: ignore[call-arg]
            name,
            parameters={"ResponseContentDisposition": f'attachment; filename="{job.result_name}"'},
            expire=60,
        )
        return HttpResponseRedirect(url)
    response = FileResponse(default_storage.open(name), as_attachment=True, filename=job.result_name)
    response["Cache-Control"] = "private, no-store"
    return response


class PreviewView(APIView):
    """One card or slide of a stored or inline thread, rendered now: the
    image the export will contain, byte for byte."""

    # Only the previews' budgets (accounts.throttles.preview_budgets), never
    # the plan's API requests a minute (DEFAULT_THROTTLE_CLASSES).
    throttle_classes = [PreviewThrottle]

    @extend_schema(
        request=PreviewSerializer,
        responses={
            (200, "image/png"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The page; X-Page-Count says how many there are."
            ),
            304: OpenApiResponse(description="Not modified (If-None-Match)."),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> HttpResponse:
        serializer = PreviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        page, digest = previews.preview(
            user=signed_in_user(request),
            thread_id=data.get("thread"),
            thread_data=data.get("thread_data"),
            kind=data["kind"],
            page=data["page"],
            preset=data.get("preset"),
            style=data.get("style"),
            carousel=data.get("carousel"),
            placeholders=data["placeholders"],
            fmt=data["format"],
            scale=data["scale"],
        )
        etag = f'"{digest[:32]}"'
        headers = {
            "ETag": etag,
            "Cache-Control": "private, max-age=600",
            "X-Page-Count": str(page.pages),
            "Access-Control-Expose-Headers": "ETag, X-Page-Count",
        }
        if etag in request.headers.get("If-None-Match", ""):
            return HttpResponse(status=304, headers=headers)
        return HttpResponse(page.content, content_type=page.content_type, headers=headers)


class SlidesView(APIView):
    """What every page of a render shows, laid out and not painted: the
    text of each slide, its post and which of the post's slides it is, and
    where a manual break may go (Carousel Studio's slide control)."""

    throttle_classes = [PreviewThrottle]  # as PreviewView

    @extend_schema(request=SlidesSerializer, responses={200: SlidesResponseSerializer, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        serializer = SlidesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        found = previews.slides(
            user=signed_in_user(request),
            thread_id=data.get("thread"),
            thread_data=data.get("thread_data"),
            kind=data["kind"],
            preset=data.get("preset"),
            style=data.get("style"),
            carousel=data.get("carousel"),
            placeholders=data["placeholders"],
        )
        return Response({"slides": found}, headers={"Cache-Control": "private, no-store"})
