from django.urls import path

from relasi.loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("", views.home, name="home"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/<str:what>/", views.member_points, name="member_points"),
    path("enrol/<int:customer_pk>/<int:programme_pk>/", views.enrol, name="enrol"),
    *views.ProgrammeViewSet().urls("programmes"),
]
