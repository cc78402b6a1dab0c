from relasi.privacy import views_breach, views_ropa

app_name = "privacy"

urlpatterns = [
    *views_breach.BreachViewSet().urls("breaches"),
    *views_ropa.ProcessingViewSet().urls("processing"),
]
