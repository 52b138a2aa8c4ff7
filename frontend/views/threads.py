"""A thread's own pages: importing one, and the navigator (read, edit
posts, add images, set the title and author, export). GET views show a
page; each form posts to its own view, which redirects on success and
shows the page again with the form's errors (400) otherwise."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.authentication import signed_in_user
from config.errors import ServiceError
from config.inputs import whole_number
from frontend.forms import (
    ExportForm,
    ImportForm,
    PostEditForm,
    PostImageForm,
    PostMoveForm,
    ThreadAuthorForm,
    in_words,
)
from frontend.views.common import (
    images_to_add_notes,
    isolated,
    owned_thread,
    post_of,
    preset_choices,
    queue_export,
)
from threads import selectors, services
from threads.importers import ImportedThread, import_thread
from threads.models import Thread

# --- Import ------------------------------------------------------------------------


def import_page(
    request: HttpRequest,
    form: ImportForm,
    *,
    preview: ImportedThread | None = None,
    from_file: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "preview": preview, "from_file": from_file}
    return render(request, "frontend/thread_import.html", context, status=status)


@login_required
@require_GET
def thread_import(request: HttpRequest) -> HttpResponse:
    """Paste or choose a file, look at what was found, then save."""
    return import_page(request, ImportForm())


@login_required
@require_POST
def thread_import_preview(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return import_page(request, form, status=400)
    data = form.cleaned_data
    try:
        preview = import_thread(
            format=data["format"], content=data["content"], limits=services.import_limits()
        )
    except ServiceError as exc:
        refuse_import(form, exc)
        return import_page(request, form, status=400)
    from_file = bool(data.get("json_file"))
    return import_page(request, form.carried(), preview=preview, from_file=from_file)


@login_required
@require_POST
def thread_import_save(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return import_page(request, form, status=400)
    data = form.cleaned_data
    try:
        thread = services.thread_import(
            owner=signed_in_user(request), format=data["format"], content=data["content"], title=data["title"]
        )
    except ServiceError as exc:
        refuse_import(form, exc)
        return import_page(request, form, status=400)
    return redirect("frontend:thread", thread_id=thread.pk)


def refuse_import(form: ImportForm, error: ServiceError) -> None:
    named = error.field not in (None, "content", "format")
    form.add_error("content", f"{error.field}: {error.message}" if named else error.message)


# --- The navigator -------------------------------------------------------------------


def post_url(thread_id: int, number: int) -> str:
    return f"{reverse('frontend:thread', args=[thread_id])}?post={number}"


def asked_post(request: HttpRequest) -> int:
    """The post the page shows (?post=N, from 1); odd values give the first."""
    return whole_number(request.GET.get("post", "1")) or 1


def thread_page(
    request: HttpRequest,
    thread: Thread,
    *,
    number: int,
    export_form: ExportForm | None = None,
    edit_form: PostEditForm | None = None,
    image_form: PostImageForm | None = None,
    author_form: ThreadAuthorForm | None = None,
    editing: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The navigator as the GET view shows it, with any bound form of a
    POST view that refused its input in place of the blank one."""
    user = signed_in_user(request)
    posts = list(thread.posts.all())
    number = min(max(number, 1), max(len(posts), 1))
    current = posts[number - 1] if posts else None
    context = {
        "thread": thread,
        "posts": posts,
        "current": current,
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < len(posts) else None,
        "export_form": export_form or ExportForm(presets=preset_choices(user), plan=user.plan),
        "images_to_add": images_to_add_notes(user, [(thread.pk, thread.title)], here=True),
        "edit_form": edit_form or PostEditForm(initial={"text": current.text if current else ""}),
        "image_form": image_form or PostImageForm(),
        "author_form": author_form
        or ThreadAuthorForm(
            initial={field: getattr(thread, field) for field in ("title", "author_name", "handle")}
        ),
        "editing": editing,
        # A numbered paste or plain paragraphs say nothing of who wrote them.
        "author_missing": not (thread.author_name or thread.handle),
        "images_pending": sum(
            1 for post in posts for image in post.images.all() if image.is_placeholder and image.source_url
        ),
    }
    return render(request, "frontend/thread_detail.html", context, status=status)


@login_required
@require_GET
def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The thread navigator: one post at a time (?post=N), the list of all,
    and the forms that edit it and export it."""
    thread = owned_thread(signed_in_user(request), thread_id)
    return thread_page(request, thread, number=asked_post(request), editing=request.GET.get("edit") == "1")


@login_required
@require_POST
def thread_export(request: HttpRequest, thread_id: int) -> HttpResponse:
    user = signed_in_user(request)
    thread = owned_thread(user, thread_id)
    form = ExportForm(request.POST, presets=preset_choices(user), plan=user.plan)
    if form.is_valid() and queue_export(request, form, form.job_request(thread_id=thread.pk)):
        return redirect("frontend:exports")
    return thread_page(request, thread, number=asked_post(request), export_form=form, status=400)


@login_required
@require_POST
def post_edit(request: HttpRequest, thread_id: int, position: int) -> HttpResponse:
    thread = owned_thread(signed_in_user(request), thread_id)
    post = post_of(thread, position)
    form = PostEditForm(request.POST)
    if form.is_valid():
        try:
            services.post_edit_text(post=post, text=form.cleaned_data["text"])
            messages.success(request, f"Post {position} saved.")
            return redirect(post_url(thread.pk, position))
        except ServiceError as exc:
            form.add_error("text", exc.message)
    return thread_page(request, thread, number=position, edit_form=form, editing=True, status=400)


@login_required
@require_POST
def post_move(request: HttpRequest, thread_id: int, position: int) -> HttpResponse:
    """Move a post up, down or where it was dropped; the page then shows it."""
    thread = owned_thread(signed_in_user(request), thread_id)
    post = post_of(thread, position)
    form = PostMoveForm(request.POST)
    try:
        if form.is_valid():
            moved = services.post_move(post=post, position=form.cleaned_data["to"])
            messages.success(request, f"Post {position} is now post {moved.position}.")
            return redirect(post_url(thread.pk, moved.position))
        messages.error(request, "Move to: give a post number from 1.")
    except ServiceError as exc:
        messages.error(request, in_words("Move to", exc.message))
    return thread_page(request, thread, number=position, status=400)


@login_required
@require_POST
def image_add(request: HttpRequest, thread_id: int, position: int) -> HttpResponse:
    thread = owned_thread(signed_in_user(request), thread_id)
    post = post_of(thread, position)
    form = PostImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_image_add(post=post, upload=form.cleaned_data["file"], alt=form.cleaned_data["alt"])
            messages.success(request, f"Image added to post {position}.")
            return redirect(post_url(thread.pk, position))
        except ServiceError as exc:
            form.add_error("file", exc.message)
    return thread_page(request, thread, number=position, image_form=form, status=400)


@login_required
@require_POST
def image_delete(request: HttpRequest, thread_id: int, position: int, image_id: int) -> HttpResponse:
    image = selectors.post_image_of(
        user=signed_in_user(request), thread_id=thread_id, position=position, image_id=image_id
    )
    if image is None:
        raise Http404("No such image.")
    services.post_image_delete(image=image)
    messages.success(request, f"Image removed from post {position}.")
    return redirect(post_url(thread_id, position))


@login_required
@require_POST
def thread_author(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Title, author's name and handle, and a new avatar if one was chosen:
    all saved, or none."""
    thread = owned_thread(signed_in_user(request), thread_id)
    form = ThreadAuthorForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.thread_update(thread=thread, changes=form.changes())
                if form.cleaned_data["avatar"]:
                    services.thread_set_avatar(thread=thread, upload=form.cleaned_data["avatar"])
            messages.success(request, "The title and author are saved.")
            return redirect(post_url(thread.pk, asked_post(request)))
        except ServiceError as exc:
            form.refused(exc)
    return thread_page(request, thread, number=asked_post(request), author_form=form, status=400)


@login_required
@require_POST
def avatar_remove(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = owned_thread(signed_in_user(request), thread_id)
    services.thread_remove_avatar(thread=thread)
    messages.success(request, "The avatar is removed; images show the author's initials instead.")
    return redirect(post_url(thread.pk, asked_post(request)))


@login_required
@require_POST
def thread_delete(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = owned_thread(signed_in_user(request), thread_id)
    services.thread_delete(thread=thread)
    messages.success(request, f"“{isolated(thread.title)}” was deleted.")
    return redirect("frontend:dashboard")


@login_required
@require_POST
def thread_confirm(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Finish a draft import without the pictures it still waits for."""
    thread = services.thread_confirm(thread=owned_thread(signed_in_user(request), thread_id))
    messages.success(request, "The thread is ready; the pictures that did not come stay as images to add.")
    return redirect("frontend:thread", thread_id=thread.pk)
