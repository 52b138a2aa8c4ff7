from django.urls import path

from frontend.views import account, archive, billing, brand, capture, design, exports, pages, presets, threads
from trials import views as trials

app_name = "frontend"

# GET pages, and a view of its own for each form's POST.
urlpatterns = [
    path("", pages.home, name="home"),
    path("examples/<int:number>.png", pages.example_image, name="example"),
    # Trying the editor before signing up (trials/): the session's draft.
    path("trial/", trials.trial_start, name="trial-start"),
    path("trial/editor/", design.trial_editor, name="trial-editor"),
    path("trial/preview/", trials.trial_preview, name="trial-preview"),
    path("trial/style/", trials.trial_style, name="trial-style"),
    path("trial/claim/", trials.trial_claim, name="trial-claim"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("threads/import/", threads.thread_import, name="thread-import"),
    path("threads/import/preview/", threads.thread_import_preview, name="thread-import-preview"),
    path("threads/import/save/", threads.thread_import_save, name="thread-import-save"),
    # Threads from X: the archive, and the extension and bookmarklet.
    path("import/archive/", archive.archive_import, name="archive-import"),
    path("import/archive/upload/", archive.archive_upload, name="archive-upload"),
    path("import/x/", capture.receive, name="capture-receive"),
    path("extension/", capture.extension_page, name="extension"),
    path("extension/download/<str:target>.zip", capture.extension_download, name="extension-download"),
    path("extension/connect/", capture.connect, name="extension-connect"),
    path("extension/connect/allow/", capture.connect_allow, name="extension-connect-allow"),
    path("extension/connect/done/", capture.connect_done, name="extension-connect-done"),
    path("threads/<int:thread_id>/", threads.thread_detail, name="thread"),
    path("threads/<int:thread_id>/export/", threads.thread_export, name="thread-export"),
    path("threads/<int:thread_id>/author/", threads.thread_author, name="thread-author"),
    path("threads/<int:thread_id>/avatar/remove/", threads.avatar_remove, name="thread-avatar-remove"),
    path("threads/<int:thread_id>/delete/", threads.thread_delete, name="thread-delete"),
    path("threads/<int:thread_id>/confirm/", threads.thread_confirm, name="thread-confirm"),
    path("threads/<int:thread_id>/posts/<int:position>/edit/", threads.post_edit, name="thread-post-edit"),
    path("threads/<int:thread_id>/posts/<int:position>/move/", threads.post_move, name="thread-post-move"),
    path("threads/<int:thread_id>/posts/<int:position>/images/", threads.image_add, name="thread-image-add"),
    path(
        "threads/<int:thread_id>/posts/<int:position>/images/<int:image_id>/delete/",
        threads.image_delete,
        name="thread-image-delete",
    ),
    path("threads/<int:thread_id>/editor/", design.thread_editor, name="editor"),
    path("threads/<int:thread_id>/studio/", design.carousel_studio, name="studio"),
    path("exports/", exports.exports, name="exports"),
    path("exports/bulk/", exports.bulk_export, name="exports-bulk"),
    path("api-keys/", account.api_keys, name="api"),
    path("api-keys/tokens/", account.token_create, name="api-token-create"),
    path("api-keys/tokens/<int:token_id>/", account.token_confirm_revoke, name="api-token"),
    path("api-keys/tokens/<int:token_id>/revoke/", account.token_revoke, name="api-token-revoke"),
    path("api-keys/webhooks/", account.endpoint_add, name="api-webhook-add"),
    path("api-keys/webhooks/<int:endpoint_id>/", account.endpoint_confirm_delete, name="api-webhook"),
    path("api-keys/webhooks/<int:endpoint_id>/delete/", account.endpoint_delete, name="api-webhook-delete"),
    path("brand/", brand.brand, name="brand"),
    path("brand/save/", brand.brand_save, name="brand-save"),
    path("brand/<str:which>/upload/", brand.brand_image_upload, name="brand-image-upload"),
    path("brand/<str:which>/remove/", brand.brand_image_remove, name="brand-image-remove"),
    path("brand/fonts/", brand.font_upload, name="brand-font-upload"),
    path("brand/fonts/<int:font_id>/delete/", brand.font_delete, name="brand-font-delete"),
    path("plan/", pages.plan, name="plan"),
    path("billing/checkout/", billing.checkout_start, name="billing-checkout"),
    path("billing/portal/", billing.portal_start, name="billing-portal"),
    path("presets/", presets.presets, name="presets"),
    path("presets/<int:preset_id>/delete/", presets.preset_delete, name="preset-delete"),
    path("presets/<int:preset_id>/thumbnail.png", presets.preset_thumbnail, name="preset-thumbnail"),
    path("ads/<int:ad_id>/image", pages.house_ad_image, name="house-ad-image"),
]
