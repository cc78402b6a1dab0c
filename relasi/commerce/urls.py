from relasi.commerce import views

app_name = "commerce"

urlpatterns = [
    *views.OrderViewSet().urls("orders"),
    *views.StoreViewSet().urls("stores"),
]
