"""The "Import your X archive" page. Its script uploads the ZIP to the API
(with the upload's progress) and follows the job; without scripts the form
posts to `archive_upload`, which comes back here to the job."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.authentication import signed_in_user
from accounts.models import User
from config.errors import ServiceError
from config.inputs import whole_number
from rendering.models import Job
from rendering.selectors import jobs_of
from rendering.serializers import JobSerializer
from threads import selectors
from threads.archive.services import MIN_POSTS_MOST, archive_import_start
from threads.models import Thread


def archive_job(user: User, wanted: str) -> Job | None:
    """The import the page follows: the one asked for, else one under way."""
    imports = jobs_of(user=user).filter(kind=Job.Kind.ARCHIVE_IMPORT)
    job_id = whole_number(wanted)
    if job_id is not None:
        return imports.filter(pk=job_id).first()
    return imports.filter(status__in=Job.ACTIVE).first()


def imported_threads(user: User, job: Job | None) -> list[Thread]:
    """The import's threads in its order (with `post_count`), those still there."""
    ids = (job.outcome.get("threads") or []) if job and job.status == Job.Status.SUCCEEDED else []
    found = {thread.pk: thread for thread in selectors.thread_list(user=user).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def archive_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    job = archive_job(user, request.GET.get("job", ""))
    threads = imported_threads(user, job)
    exports = (
        reverse("frontend:exports")
        + "?kinds=carousel"
        + "".join(f"&threads={thread.pk}" for thread in threads)
    )
    context = {
        "job": JobSerializer(job, context={"request": request}).data if job else None,
        "threads": threads,
        "export_all": exports,
        "error": error,
        "min_posts_most": MIN_POSTS_MOST,
    }
    return render(request, "frontend/archive_import.html", context, status=status)


@login_required
@require_GET
def archive_import(request: HttpRequest) -> HttpResponse:
    return archive_page(request)


@login_required
@require_POST
def archive_upload(request: HttpRequest) -> HttpResponse:
    """The form without scripts: queue the import, then follow it on the page."""
    upload = request.FILES.get("file")
    if upload is None:
        return archive_page(request, error="Choose your archive's ZIP file.", status=400)
    min_posts = whole_number(request.POST.get("min_posts", "") or "2")
    try:
        job = archive_import_start(user=signed_in_user(request), upload=upload, min_posts=min_posts or 0)
    except ServiceError as exc:
        return archive_page(
            request, error=exc.message, status=400 if exc.status_code == 400 else exc.status_code
        )
    messages.success(request, f"Your archive is uploaded: import {job.pk} is under way.")
    return redirect(reverse("frontend:archive-import") + f"?job={job.pk}")
