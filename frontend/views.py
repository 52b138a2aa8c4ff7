from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.authentication import signed_in_user
from accounts.models import Plan, User
from accounts.selectors import usage_this_month
from config.errors import ServiceError
from config.inputs import whole_number
from frontend.forms import BulkExportForm, ExportForm, ImportForm, PostEditForm, PostImageForm, TokenForm
from frontend.models import HouseAd
from rendering import jobs
from rendering.engine import renderer
from rendering.engine.layout import PostInfo, ThreadInfo
from rendering.selectors import jobs_of
from rendering.serializers import JobSerializer
from threads import selectors, services
from threads.arrangement import SLIDE_TEXT_LIMIT
from threads.importers import import_thread
from threads.style import CANVAS_SIZES, FONTS, RANGES, default_style, style_validate
from webhooks import services as webhook_services
from webhooks.models import Delivery, Endpoint

EXAMPLE_POSTS = (
    "Five habits that made my writing clearer:\n\n• One idea per sentence\n• Verbs over nouns\n"
    "• Cut the first paragraph\n• Read it aloud\n• Sleep on it 🌙",
    "Writing is rewriting. The first draft tells you what you think; the second tells everyone else.",
)


def example_image(request: HttpRequest, number: int) -> HttpResponse:
    """The landing page's examples, drawn by the renderer itself."""
    if number not in (1, 2):
        raise Http404("No such example.")
    key = f"example-image:{number}"
    content = cache.get(key)
    if content is None:
        thread = ThreadInfo(
            "Write clearer",
            "Ada Writes",
            "adawrites",
            tuple(PostInfo(text, ()) for text in EXAMPLE_POSTS),
        )
        style = style_validate({"canvas": {"size": "square"}} if number == 2 else {})
        kind = "carousel" if number == 2 else "cards"
        page = renderer.render_page(
            data=renderer.RenderInput(thread), style=style, kind=kind, page=1 if number == 1 else 3
        )
        content = page.content
        cache.set(key, content, 24 * 3600)
    response = HttpResponse(content, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("frontend:dashboard")
    return render(request, "frontend/home.html", {"plans": Plan.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        chosen = request.POST.get("delete", "")
        thread = selectors.threads_of(user=user).filter(pk=whole_number(chosen) or 0).first()
        if thread is not None:
            services.thread_delete(thread=thread)
            messages.success(request, f"“{thread.title}” was deleted.")
        return redirect("frontend:dashboard")
    search = request.GET.get("q", "").strip()
    context = {
        "usage": usage_this_month(user=user),
        "search": search,
        "threads": selectors.thread_list(user=user, search=search)[:50],
        "presets": selectors.presets_visible_to(user=user).filter(owner=user)[:10],
        "jobs": job_rows(request, jobs_of(user=user)[:5]),
    }
    return render(request, "frontend/dashboard.html", context)


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


@login_required
def thread_editor(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The visual editor: style panels, the server's own render as the
    preview, presets and quick export (frontend/static/frontend/editor.js)."""
    user = signed_in_user(request)
    thread = selectors.thread_list(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    presets = [
        {"id": preset.pk, "name": preset.name, "style": preset.style, "builtin": preset.is_builtin}
        for preset in selectors.presets_visible_to(user=user)
    ]
    config = {
        "thread": thread.pk,
        "style": default_style(),
        "presets": presets,
        "watermarkForced": user.plan.watermark_forced,
        "maxScale": user.plan.max_scale,
        "urls": {
            "preview": reverse("rendering-api:preview"),
            "jobs": reverse("rendering-api:job-list"),
            "presets": reverse("threads-api:preset-list"),
            "exports": reverse("frontend:exports"),
        },
    }
    context = {
        "thread": thread,
        "config": config,
        "fonts": FONTS,
        "sizes": list(CANVAS_SIZES),
        "ranges": style_ranges(),
        "images_to_add": images_to_add_notes(user, [(thread.pk, thread.title)]),
    }
    return render(request, "frontend/editor.html", context)


@login_required
def carousel_studio(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Carousel Studio: size, slide strip, cover and end text, which posts
    in which order, slide-level control (the thread's saved arrangement,
    `threads/arrangement.py`), PDF or PNG ZIP (frontend/static/frontend/studio.js)."""
    user = signed_in_user(request)
    thread = selectors.thread_details(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    posts = [{"position": post.position, "text": post.text[:90]} for post in thread.posts.all()]
    config = {
        "thread": thread.pk,
        "title": thread.title,
        "style": default_style(),
        "posts": posts,
        "presets": [
            {"id": preset.pk, "name": preset.name, "style": preset.style}
            for preset in selectors.presets_visible_to(user=user)
        ],
        # Fitted: a saved arrangement the posts have outgrown would be
        # refused when the Studio saves it back unchanged.
        "arrangement": jobs.saved_arrangement(thread),
        "slideTextLimit": SLIDE_TEXT_LIMIT,
        "urls": {
            "preview": reverse("rendering-api:preview"),
            "slides": reverse("rendering-api:slides"),
            "jobs": reverse("rendering-api:job-list"),
            "thread": reverse("threads-api:thread-detail", kwargs={"pk": thread.pk}),
        },
        "composition": {key: default_style()["text"][key] for key in ("fit_min", "fit_max")},
    }
    context = {
        "thread": thread,
        "config": config,
        "ranges": style_ranges(),
        "images_to_add": images_to_add_notes(user, [(thread.pk, thread.title)]),
    }
    return render(request, "frontend/studio.html", context)


def style_ranges() -> dict[str, dict[str, float]]:
    """The style's number ranges for the controls' min and max, by the
    setting's path with underscores (`text_fit_min`)."""
    return {name.replace(".", "_"): {"min": low, "max": high} for name, (low, high) in RANGES.items()}


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """Create, list and revoke API tokens; a new token's secret shows once."""
    user = signed_in_user(request)
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    secret = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        chosen = request.POST.get("token", "")
        if whole_number(chosen) is not None:
            try:
                account_services.token_revoke(user=user, token_id=int(chosen))
                messages.success(request, "The token was revoked; it no longer works.")
            except ServiceError as exc:
                messages.error(request, exc.message)
        return redirect("frontend:api")
    if form.is_bound and form.is_valid():
        try:
            _, secret = account_services.token_create(user=user, name=form.cleaned_data["name"])
            form = TokenForm()
        except ServiceError as exc:
            form.add_error("name", exc.message)
    hook_error = ""
    if request.method == "POST" and request.POST.get("action") in ("add-hook", "delete-hook"):
        try:
            if request.POST["action"] == "add-hook":
                webhook_services.endpoint_create(owner=user, url=request.POST.get("url", ""))
                messages.success(request, "Webhook added; finished exports will be posted to it.")
            else:
                chosen = request.POST.get("hook", "")
                Endpoint.objects.filter(owner=user, pk=whole_number(chosen) or 0).delete()
            return redirect("frontend:api")
        except ServiceError as exc:
            hook_error = f"{exc.field}: {exc.message}" if exc.field else exc.message
    hooks = Endpoint.objects.filter(owner=user).prefetch_related(
        Prefetch(
            "deliveries", queryset=Delivery.objects.order_by("-created", "-id"), to_attr="all_deliveries"
        )
    )
    context = {
        "form": form,
        "secret": secret,
        "tokens": account_selectors.tokens_for_user(user=user),
        "api_root": request.build_absolute_uri("/api/v1/"),
        "hooks": [(hook, hook.all_deliveries[:5]) for hook in hooks],
        "hook_error": hook_error,
    }
    response = render(request, "frontend/api_keys.html", context)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
def presets(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    visible = selectors.presets_visible_to(user=user)
    if request.method == "POST":
        chosen = request.POST.get("preset", "")
        preset = visible.filter(owner=user, pk=whole_number(chosen) or 0).first()
        if preset is not None:
            services.preset_delete(preset=preset)
            messages.success(request, f"The preset “{preset.name}” was deleted.")
        return redirect("frontend:presets")
    return render(request, "frontend/presets.html", {"presets": visible})


def house_ad_image(request: HttpRequest, ad_id: int) -> FileResponse:
    ad = HouseAd.objects.filter(pk=ad_id, active=True).exclude(image="").first()
    if ad is None:
        raise Http404("No such ad.")
    response = FileResponse(default_storage.open(str(ad.image.name)))
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {"plans": Plan.objects.all(), "usage": usage_this_month(user=user)}
    return render(request, "frontend/plan.html", context)


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
