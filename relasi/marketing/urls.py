from django.urls import path

from relasi.marketing import views

app_name = "marketing"

urlpatterns = [
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_edit, name="segment_new"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("segments/<int:pk>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/recount/", views.segment_recount, name="segment_recount"),
    path("segments/<int:pk>/snapshots/", views.segment_snapshot, name="segment_snapshot"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
]
