"""Bulk export and the list of jobs."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.authentication import signed_in_user
from accounts.selectors import usage_this_month
from frontend.forms import BulkExportForm
from frontend.views.common import images_to_add_notes, job_rows, preset_choices, queue_export
from rendering import jobs
from rendering.selectors import jobs_of
from threads import selectors


@login_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    threads = [(thread.pk, thread.title) for thread in selectors.thread_list(user=user)[:500]]
    form = BulkExportForm(request.POST or None, threads=threads, presets=preset_choices(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job_request = jobs.JobRequest(
            kind="bulk",
            threads=data["threads"] or "all",
            kinds=tuple(data["kinds"]),
            format=data["format"],
            scale=data["scale"],
            preset=data["preset"],
            placeholders=form.placeholders(),
        )
        if queue_export(request, form, job_request):
            return redirect("frontend:exports")
    context = {
        "form": form,
        "images_to_add": images_to_add_notes(user, threads, titled=True),
        "jobs": job_rows(request, jobs_of(user=user)[:50]),
        "usage": usage_this_month(user=user),
    }
    return render(request, "frontend/exports.html", context)
