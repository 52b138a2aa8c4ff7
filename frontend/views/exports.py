"""Bulk export and the list of jobs."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.authentication import signed_in_user
from accounts.models import User
from accounts.selectors import usage_this_month
from frontend.forms import BulkExportForm
from frontend.views.common import images_to_add_notes, job_rows, preset_choices, queue_export
from rendering.selectors import jobs_of
from threads import selectors


def thread_choices(user: User) -> list[tuple[int, str]]:
    return [(thread.pk, thread.title) for thread in selectors.thread_list(user=user)[:500]]


def chosen_in_link(request: HttpRequest) -> dict[str, object]:
    """A link may pre-choose the threads and kinds (?threads=1&threads=2&kinds=carousel),
    as the archive import's "Export all as carousels" does."""
    initial: dict[str, object] = {}
    threads = [int(value) for value in request.GET.getlist("threads") if value.isascii() and value.isdigit()]
    if threads:
        initial["threads"] = threads
    if request.GET.getlist("kinds"):
        initial["kinds"] = request.GET.getlist("kinds")
    return initial


def exports_page(
    request: HttpRequest, form: BulkExportForm | None = None, *, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    threads = thread_choices(user)
    context = {
        "form": form
        or BulkExportForm(
            initial=chosen_in_link(request), threads=threads, presets=preset_choices(user), plan=user.plan
        ),
        "images_to_add": images_to_add_notes(user, threads, titled=True),
        "jobs": job_rows(request, jobs_of(user=user)[:50]),
        "usage": usage_this_month(user=user),
    }
    return render(request, "frontend/exports.html", context, status=status)


@login_required
@require_GET
def exports(request: HttpRequest) -> HttpResponse:
    return exports_page(request)


@login_required
@require_POST
def bulk_export(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = BulkExportForm(
        request.POST, threads=thread_choices(user), presets=preset_choices(user), plan=user.plan
    )
    if form.is_valid() and queue_export(request, form, form.job_request()):
        return redirect("frontend:exports")
    return exports_page(request, form, status=400)
