"""Customer-analytics pages, included from analytics/urls.py (names stay in "analytics:")."""

from django.urls import path

from relasi.analytics import views_insights as v

urlpatterns = [
    path("customers/rfm/", v.rfm_page, name="insights_rfm"),
    path("customers/clv/", v.clv_page, name="insights_clv"),
    path("customers/churn/", v.churn_page, name="insights_churn"),
    path("customers/churn/export.<str:fmt>", v.churn_export, name="insights_churn_export"),
    path("customers/churn/assign/", v.churn_assign, name="insights_churn_assign"),
    path("customers/cohorts/", v.cohorts_page, name="insights_cohorts"),
    path("customers/profitability/", v.pareto_page, name="insights_pareto"),
    path("customers/basket/", v.basket_page, name="insights_basket"),
    path("customers/events/", v.events_page, name="insights_events"),
    path("customers/events/<int:pk>/delete/", v.event_rule_delete, name="insights_event_delete"),
    path("customers/events/check/", v.check_events_now, name="insights_events_check"),
]
