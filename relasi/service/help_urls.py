"""The public help centre, mounted at /help/."""

from django.urls import path

from relasi.service.views import helpcentre

app_name = "help"

urlpatterns = [
    path("", helpcentre.index, name="index"),
    path("c/<slug:slug>/", helpcentre.category, name="category"),
    path("a/<slug:slug>/", helpcentre.article, name="article"),
]
