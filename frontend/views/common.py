"""What the website's views share: the owner's rows or a 404, the export
form's queueing, the images-to-add notes above export forms, and jobs as
the API shows them (with the threads they export, in words)."""

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.urls import reverse

from accounts.authentication import signed_in_user
from accounts.models import User
from config.errors import ServiceError
from frontend.forms import ExportForm
from rendering import jobs
from rendering.serializers import JobSerializer
from threads import selectors
from threads.models import Post, Thread


def owned_thread(user: User, thread_id: int) -> Thread:
    """The user's thread with its posts and images loaded, or a 404."""
    thread = selectors.thread_details(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    return thread


def post_of(thread: Thread, position: int) -> Post:
    """The thread's post at `position` (from 1), from the loaded posts, or a 404."""
    post = next((post for post in thread.posts.all() if post.position == position), None)
    if post is None:
        raise Http404("This thread has no such post.")
    return post


def isolated(text: str) -> str:
    """User text inside a sentence of ours, isolated (FSI … PDI) so a
    right-to-left title does not reorder the words around it."""
    return f"\u2068{text}\u2069"


def preset_choices(user: User) -> list[tuple[int, str]]:
    return [(preset.pk, preset.name) for preset in selectors.presets_visible_to(user=user)]


def queue_export(request: HttpRequest, form: ExportForm, job_request: jobs.JobRequest) -> bool:
    """Queue the export, or put the service's refusal on the form."""
    try:
        job, outcome = jobs.job_create(user=signed_in_user(request), request=job_request)
    except ServiceError as exc:
        form.refused(exc)
        return False
    if outcome == jobs.JobOutcome.REUSED:
        messages.success(
            request, f"The same export was just made: it is export {job.pk} below; nothing was charged."
        )
    else:
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
            "title": title if titled else None,
            "message": jobs.images_to_add_message(found[pk]),
            "url": f"{reverse('frontend:thread', args=[pk])}?post={found[pk][0]}",
            "link": f"Go to post {found[pk][0]}" if here else "Add them on the thread page",
        }
        for pk, title in threads
        if pk in found
    ]


def job_rows(request: HttpRequest, job_list: object) -> list[dict[str, object]]:
    """Jobs as the API shows them, so the page and its live updates agree,
    each with `subject`: the title of the thread it exports, or for a bulk
    job how many threads (the live updates leave this part of a row alone)."""
    rows = list(JobSerializer(job_list, many=True, context={"request": request}).data)
    single = {row["thread_ids"][0] for row in rows if row["kind"] != "bulk" and row["thread_ids"]}
    user = signed_in_user(request)
    titles = dict(selectors.threads_of(user=user).filter(pk__in=single).values_list("id", "title"))
    for row in rows:
        ids = row["thread_ids"]
        if row["kind"] == "bulk":
            row["subject"] = {"count": len(ids)}
        else:
            row["subject"] = {"title": titles.get(ids[0]) if ids else None}
    return rows
