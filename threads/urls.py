from django.urls import path
from rest_framework.routers import SimpleRouter

from threads import api
from threads.archive.api import ArchiveImportView

app_name = "threads-api"

router = SimpleRouter()
router.register("threads", api.ThreadViewSet, basename="thread")
router.register("presets", api.PresetViewSet, basename="preset")

post_images = "threads/<int:thread_id>/posts/<int:position>/images/"

urlpatterns = [
    # Before the router's threads/<pk>/, which would take the name for an id.
    path("threads/import-archive/", ArchiveImportView.as_view(), name="thread-import-archive"),
    *router.urls,
    path(post_images, api.PostImageViewSet.as_view({"post": "create"}), name="post-images"),
    path(
        f"{post_images}<int:pk>/",
        api.PostImageViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="post-image-file",
    ),
]
