"""The brand kit page: the author and pictures new threads start with, the
logo, brand colours, the end slide's line and uploaded fonts; a view per
form, each over brand/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.authentication import signed_in_user
from brand import selectors, services
from config.errors import ServiceError
from frontend.forms import BrandImageForm, BrandKitForm, FontUploadForm

IMAGE_NAMES = {"avatar": "default avatar", "logo": "logo"}


def brand_page(
    request: HttpRequest,
    *,
    form: BrandKitForm | None = None,
    font_form: FontUploadForm | None = None,
    image_forms: dict[str, BrandImageForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    kit = services.brand_kit_of(owner=user)
    initial = {
        "author_name": kit.author_name,
        "handle": kit.handle,
        "end_text": kit.end_text,
        "colours": " ".join(kit.colours),
    }
    forms = image_forms or {}
    context = {
        "kit": kit,
        "form": form or BrandKitForm(initial=initial),
        "font_form": font_form or FontUploadForm(),
        "images": [
            {
                "which": which,
                "name": name,
                "stored": getattr(kit, which),
                "form": forms.get(which) or BrandImageForm(),
            }
            for which, name in IMAGE_NAMES.items()
        ],
        "fonts": selectors.fonts_of(user=user),
    }
    return render(request, "frontend/brand.html", context, status=status)


@login_required
@require_GET
def brand(request: HttpRequest) -> HttpResponse:
    return brand_page(request)


@login_required
@require_POST
def brand_save(request: HttpRequest) -> HttpResponse:
    form = BrandKitForm(request.POST)
    if form.is_valid():
        try:
            services.brand_kit_update(owner=signed_in_user(request), changes=form.changes())
            messages.success(request, "Your brand kit is saved.")
            return redirect("frontend:brand")
        except ServiceError as exc:
            field = exc.field.split("[")[0] if exc.field else None
            form.add_error(field if field in form.fields else None, exc.message)
    return brand_page(request, form=form, status=400)


def image_kind(which: str) -> str:
    if which not in IMAGE_NAMES:
        raise Http404("A brand kit has a default avatar and a logo.")
    return which


@login_required
@require_POST
def brand_image_upload(request: HttpRequest, which: str) -> HttpResponse:
    form = BrandImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.brand_image_set(
                owner=signed_in_user(request), which=image_kind(which), upload=form.cleaned_data["file"]
            )
            messages.success(request, f"Your {IMAGE_NAMES[which]} is saved.")
            return redirect("frontend:brand")
        except ServiceError as exc:
            form.add_error("file", exc.message)
    return brand_page(request, image_forms={which: form}, status=400)


@login_required
@require_POST
def brand_image_remove(request: HttpRequest, which: str) -> HttpResponse:
    services.brand_image_remove(owner=signed_in_user(request), which=image_kind(which))
    messages.success(request, f"Your {IMAGE_NAMES[which]} is removed.")
    return redirect("frontend:brand")


@login_required
@require_POST
def font_upload(request: HttpRequest) -> HttpResponse:
    form = FontUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            font = services.font_add(
                owner=signed_in_user(request),
                upload=form.cleaned_data["file"],
                family=form.cleaned_data["family"],
            )
            messages.success(request, f"“{font.family}” is ready to use.")
            return redirect("frontend:brand")
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return brand_page(request, font_form=form, status=400)


@login_required
@require_POST
def font_delete(request: HttpRequest, font_id: int) -> HttpResponse:
    font = selectors.fonts_of(user=signed_in_user(request)).filter(pk=font_id).first()
    if font is None:
        raise Http404("No such font.")
    services.font_delete(font=font)
    messages.success(request, f"“{font.family}” is deleted; styles that named it use Inter.")
    return redirect("frontend:brand")
