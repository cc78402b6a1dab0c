from relasi.webhooks.views import EndpointViewSet

app_name = "webhooks"

urlpatterns = [*EndpointViewSet().urls("endpoints")]
