from rest_framework.routers import SimpleRouter

from webhooks import api

app_name = "webhooks-api"

router = SimpleRouter()
router.register("webhooks", api.EndpointViewSet, basename="webhook")

urlpatterns = router.urls
