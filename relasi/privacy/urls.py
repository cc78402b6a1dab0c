from django.urls import path

from relasi.privacy import views, views_breach, views_dsr, views_retention, views_ropa

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/<int:pk>/consents/", views.record_consent, name="record_consent"),
    path("customers/<int:pk>/consents/history/", views.consent_history, name="consent_history"),
    path("customers/<int:pk>/consents/confirm/", views.resend_confirmation, name="resend"),
    path("suppressions/", views.suppression_list, name="suppression_list"),
    path("suppressions/<int:pk>/delete/", views.suppression_delete, name="suppression_delete"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/purposes/new/", views.purpose_edit, name="purpose_new"),
    path("settings/purposes/<int:pk>/", views.purpose_edit, name="purpose_edit"),
    path("settings/channels/<str:channel>/", views.policy_edit, name="policy_edit"),
    path("retention/", views_retention.retention_list, name="retention"),
    path("retention/new/", views_retention.policy_edit, name="retention_new"),
    path("retention/<int:pk>/", views_retention.policy_edit, name="retention_edit"),
    path("retention/<int:pk>/delete/", views_retention.policy_delete, name="retention_delete"),
    path("retention/<int:pk>/preview/", views_retention.policy_preview, name="retention_preview"),
    path("retention/runs/", views_retention.run_start, name="retention_run_start"),
    path("retention/runs/<int:pk>/", views_retention.run_detail, name="retention_run"),
    # Public (no account): signed links from messages.
    path("p/<str:token>/", views.preferences, name="preferences"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("requests/", views_dsr.request_list, name="dsr_list"),
    path("requests/new/", views_dsr.request_new, name="dsr_new"),
    path("requests/<int:pk>/", views_dsr.request_detail, name="dsr_detail"),
    path("requests/<int:pk>/verify/", views_dsr.request_verify, name="dsr_verify"),
    path("requests/<int:pk>/complete/", views_dsr.request_complete, name="dsr_complete"),
    path("requests/<int:pk>/reject/", views_dsr.request_reject, name="dsr_reject"),
    path("requests/<int:pk>/cancel/", views_dsr.request_cancel_erasure, name="dsr_cancel"),
    path("requests/<int:pk>/export.<str:fmt>", views_dsr.request_export, name="dsr_export"),
    *views_breach.BreachViewSet().urls("breaches"),
    *views_ropa.ProcessingViewSet().urls("processing"),
]
