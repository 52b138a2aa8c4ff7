"""What the website's views share: the export form's queueing, the
images-to-add notes above export forms, and jobs as the API shows them."""

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse

from accounts.authentication import signed_in_user
from accounts.models import User
from config.errors import ServiceError
from frontend.forms import ExportForm
from rendering import jobs
from rendering.serializers import JobSerializer
from threads import selectors


def preset_choices(user: User) -> list[tuple[int, str]]:
    return [(preset.pk, preset.name) for preset in selectors.presets_visible_to(user=user)]


def queue_export(request: HttpRequest, form: ExportForm, job_request: jobs.JobRequest) -> bool:
    """Queue the export, or put the service's refusal on the form."""
    try:
        job, _ = jobs.job_create(user=signed_in_user(request), request=job_request)
    except ServiceError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message if field else f"{exc.field}: {exc.message}")
        return False
    messages.success(request, f"Export {job.pk} is queued; it shows its progress below.")
    return True


def images_to_add_notes(
    user: User, threads: list[tuple[int, str]], *, titled: bool = False, here: bool = False
) -> list[dict[str, object]]:
    """The warning above an export form: each thread's posts that still
    have images to add, with a link to the first of them to add it there
    (`here`: on that thread's own page). Exports would draw grey boxes."""
    found = jobs.images_to_add(user=user, thread_ids=[pk for pk, _ in threads])
    return [
        {
            "thread": pk,
            "message": (f"“{title}”: " if titled else "") + jobs.images_to_add_message(found[pk]),
            "url": f"{reverse('frontend:thread', args=[pk])}?post={found[pk][0]}",
            "link": f"Go to post {found[pk][0]}" if here else "Add them on the thread page",
        }
        for pk, title in threads
        if pk in found
    ]


def job_rows(request: HttpRequest, job_list: object) -> list[dict[str, object]]:
    """Jobs as the API shows them, so the page and its live updates agree."""
    return list(JobSerializer(job_list, many=True, context={"request": request}).data)
