"""The user's saved looks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.authentication import signed_in_user
from config.inputs import whole_number
from threads import selectors, services


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
