from django.urls import path

from relasi.core import approvals, company_views, outbox_views, pages, views

app_name = "core"

urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.global_search, name="search"),
    path("approvals/", approvals.inbox, name="approvals"),
    path("jobs/<uuid:pk>/", pages.job_status, name="job"),
    path("audit/", pages.audit_list, name="audit_list"),
    path("privacy/reads/", pages.sensitive_reads, name="sensitive_reads"),
    path("outbox/", outbox_views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", outbox_views.outbox_retry, name="outbox_retry"),
    path("settings/company/", company_views.company_settings, name="company_settings"),
    path("views/save/", views.SavedViewCreate.as_view(), name="savedview_save"),
    path("views/<int:pk>/delete/", views.SavedViewDelete.as_view(), name="savedview_delete"),
    *pages.CustomFieldViewSet().urls("settings/custom-fields"),
]
