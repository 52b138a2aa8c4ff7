"""A thread's own pages: importing one, and the navigator (read, edit
posts, add images, export)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.authentication import signed_in_user
from config.errors import ServiceError
from config.inputs import whole_number
from frontend.forms import ExportForm, ImportForm, PostEditForm, PostImageForm
from frontend.views.common import images_to_add_notes, preset_choices, queue_export
from rendering import jobs
from threads import selectors, services
from threads.importers import import_thread


@login_required
@require_http_methods(["GET", "POST"])
def thread_import(request: HttpRequest) -> HttpResponse:
    """Paste or upload, look at what was found, then save."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "save" in request.POST:
                thread = services.thread_import(
                    owner=signed_in_user(request),
                    format=data["format"],
                    content=data["content"],
                    title=data["title"],
                )
                return redirect("frontend:thread", thread_id=thread.pk)
            context["preview"] = import_thread(
                format=data["format"], content=data["content"], limits=services.import_limits()
            )
        except ServiceError as exc:
            named = exc.field not in (None, "content", "format")
            form.add_error("content", f"{exc.field}: {exc.message}" if named else exc.message)
    return render(request, "frontend/thread_import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The thread navigator: one post at a time (?post=N), the list of all,
    editing the post's text and images in place, and the export form."""
    user = signed_in_user(request)
    thread = selectors.thread_details(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    posts = list(thread.posts.all())
    number = whole_number(request.GET.get("post", "1")) or 1
    number = min(max(number, 1), max(len(posts), 1))
    current = posts[number - 1] if posts else None
    action = request.POST.get("action") if request.method == "POST" else None
    export_form = ExportForm(request.POST if action == "export" else None, presets=preset_choices(user))
    edit_form = PostEditForm(
        request.POST if action == "edit" else None, initial={"text": current.text if current else ""}
    )
    image_form = PostImageForm(request.POST if action == "add-image" else None, request.FILES or None)
    here = f"{reverse('frontend:thread', args=[thread.pk])}?post={number}"
    if action == "export" and export_form.is_valid():
        data = export_form.cleaned_data
        job_request = jobs.JobRequest(
            kind=data["kind"],
            threads=[thread.pk],
            format=data["format"],
            scale=data["scale"],
            preset=data["preset"],
            placeholders=export_form.placeholders(),
        )
        if queue_export(request, export_form, job_request):
            return redirect("frontend:exports")
    elif current is not None and action in ("edit", "add-image", "delete-image"):
        try:
            if action == "edit" and edit_form.is_valid():
                services.post_edit_text(post=current, text=edit_form.cleaned_data["text"])
                messages.success(request, f"Post {number} saved.")
                return redirect(here)
            if action == "add-image" and image_form.is_valid():
                services.post_image_add(
                    post=current, upload=image_form.cleaned_data["file"], alt=image_form.cleaned_data["alt"]
                )
                messages.success(request, f"Image added to post {number}.")
                return redirect(here)
            if action == "delete-image":
                chosen = request.POST.get("image", "")
                image = current.images.filter(pk=whole_number(chosen) or 0).first()
                if image is not None:
                    services.post_image_delete(image=image)
                    messages.success(request, f"Image removed from post {number}.")
                return redirect(here)
        except ServiceError as exc:
            form = edit_form if action == "edit" else image_form
            form.add_error("text" if action == "edit" else "file", exc.message)
    context = {
        "thread": thread,
        "posts": posts,
        "current": current,
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < len(posts) else None,
        "export_form": export_form,
        "images_to_add": images_to_add_notes(user, [(thread.pk, thread.title)], here=True),
        "edit_form": edit_form,
        "image_form": image_form,
        "editing": action == "edit" or request.GET.get("edit") == "1",
    }
    return render(request, "frontend/thread_detail.html", context)
