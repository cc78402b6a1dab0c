"""The customer portal, mounted at /portal/ (public: its own magic-link sign-in)."""

from django.urls import path

from relasi.privacy import views_dsr
from relasi.service.views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", portal.login, name="login"),
    path("login/<str:token>/", portal.redeem, name="redeem"),
    path("logout/", portal.logout, name="logout"),
    path("new/", portal.new_ticket, name="new_ticket"),
    path("tickets/<int:pk>/", portal.ticket, name="ticket"),
    path("files/<int:pk>/", portal.attachment, name="attachment"),
    path("survey/<str:token>/", portal.survey, name="survey"),
    path("my-data/", views_dsr.portal_my_data, name="my_data"),
]
