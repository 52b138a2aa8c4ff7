from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.authentication import signed_in_user
from accounts.models import Plan
from accounts.selectors import usage_this_month
from config.errors import ServiceError
from frontend.forms import ImportForm
from threads import selectors, services
from threads.importers import import_thread


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("frontend:dashboard")
    return render(request, "frontend/home.html", {"plans": Plan.objects.all()})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "usage": usage_this_month(user=user),
        "threads": selectors.thread_list(user=user)[:10],
        "presets": selectors.presets_visible_to(user=user).filter(owner=user)[:10],
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
def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.thread_details(user=signed_in_user(request)).filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    return render(request, "frontend/thread_detail.html", {"thread": thread})
