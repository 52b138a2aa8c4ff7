from django.urls import path

from frontend import views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("examples/<int:number>.png", views.example_image, name="example"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("threads/import/", views.thread_import, name="thread-import"),
    path("threads/<int:thread_id>/", views.thread_detail, name="thread"),
    path("threads/<int:thread_id>/editor/", views.thread_editor, name="editor"),
    path("threads/<int:thread_id>/studio/", views.carousel_studio, name="studio"),
    path("exports/", views.exports, name="exports"),
    path("api-keys/", views.api_keys, name="api"),
    path("plan/", views.plan, name="plan"),
    path("presets/", views.presets, name="presets"),
    path("ads/<int:ad_id>/image", views.house_ad_image, name="house-ad-image"),
]
