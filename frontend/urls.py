from django.urls import path

from frontend import views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("threads/import/", views.thread_import, name="thread-import"),
    path("threads/<int:thread_id>/", views.thread_detail, name="thread"),
]
