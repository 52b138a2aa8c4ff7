from django.urls import path

from billing import api

app_name = "billing-api"

urlpatterns = [path("billing/webhook/", api.StripeWebhookView.as_view(), name="stripe-webhook")]
