from django.urls import path

from frontend.views import account, brand, design, exports, pages, presets, threads

app_name = "frontend"

urlpatterns = [
    path("", pages.home, name="home"),
    path("examples/<int:number>.png", pages.example_image, name="example"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("threads/import/", threads.thread_import, name="thread-import"),
    path("threads/<int:thread_id>/", threads.thread_detail, name="thread"),
    path("threads/<int:thread_id>/editor/", design.thread_editor, name="editor"),
    path("threads/<int:thread_id>/studio/", design.carousel_studio, name="studio"),
    path("exports/", exports.exports, name="exports"),
    path("api-keys/", account.api_keys, name="api"),
    path("brand/", brand.brand, name="brand"),
    path("brand/save/", brand.brand_save, name="brand-save"),
    path("brand/<str:which>/upload/", brand.brand_image_upload, name="brand-image-upload"),
    path("brand/<str:which>/remove/", brand.brand_image_remove, name="brand-image-remove"),
    path("brand/fonts/", brand.font_upload, name="brand-font-upload"),
    path("brand/fonts/<int:font_id>/delete/", brand.font_delete, name="brand-font-delete"),
    path("plan/", pages.plan, name="plan"),
    path("presets/", presets.presets, name="presets"),
    path("ads/<int:ad_id>/image", pages.house_ad_image, name="house-ad-image"),
]
