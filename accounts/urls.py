from django.urls import path

from accounts import api

app_name = "accounts-api"

urlpatterns = [
    path("signup/", api.SignupApi.as_view(), name="signup"),
    path("tokens/", api.TokenListCreateApi.as_view(), name="tokens"),
    path("tokens/<int:token_id>/", api.TokenDestroyApi.as_view(), name="token"),
    path("me/", api.MeApi.as_view(), name="me"),
]
