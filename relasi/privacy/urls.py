from django.urls import path

from relasi.privacy import views, views_breach, views_ropa

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
    # Public (no account): signed links from messages.
    path("p/<str:token>/", views.preferences, name="preferences"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    *views_breach.BreachViewSet().urls("breaches"),
    *views_ropa.ProcessingViewSet().urls("processing"),
]
