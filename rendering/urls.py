from django.urls import path
from rest_framework.routers import SimpleRouter

from rendering import api

app_name = "rendering-api"

router = SimpleRouter()
router.register("jobs", api.JobViewSet, basename="job")

urlpatterns = [
    *router.urls,
    path("render/preview/", api.PreviewView.as_view(), name="preview"),
    path("render/slides/", api.SlidesView.as_view(), name="slides"),
]
