from django.urls import path

from brand import api

app_name = "brand-api"

urlpatterns = [
    path("brand/", api.BrandKitView.as_view(), name="brand"),
    path("brand/fonts/", api.FontListView.as_view(), name="fonts"),
    path("brand/fonts/<int:pk>/", api.FontDetailView.as_view(), name="font"),
    path("brand/<str:which>/", api.BrandImageView.as_view(), name="brand-image"),
]
