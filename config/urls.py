from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api import api_not_found
from config.health import healthz

api_v1: list[URLPattern | URLResolver] = [
    path("accounts/", include("accounts.urls")),
    path("", include("threads.urls")),
    path("", include("rendering.urls")),
    path("", include("webhooks.urls")),
    path("", include("brand.urls")),
    path("", include("billing.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    # Anything else under the API answers JSON, whatever DEBUG says.
    re_path(r"^.*$", api_not_found),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("accounts/", include("allauth.urls")),
    path("", include("frontend.urls")),
]

handler404 = "config.api.api_not_found"
handler500 = "config.api.api_server_error"
