from django.urls import path

from relasi.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboards/<slug:board>/", views.dashboard, name="board"),
    path("reports/", views.builder, name="builder"),
    path("reports/save/", views.report_save, name="report_save"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_save, name="report_edit"),
    path("reports/<int:pk>/delete/", views.report_delete, name="report_delete"),
    path("mart/", views.mart_status, name="mart_status"),
    path("mart/refresh/", views.mart_refresh, name="mart_refresh"),
    path("mart/export.zip", views.mart_export, name="mart_export"),
    *views.CostEntryViewSet().urls("costs"),
]

from relasi.analytics.urls_insights import urlpatterns as insights_urls  # noqa: E402  (issue 8)

urlpatterns += insights_urls
