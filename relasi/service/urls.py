from django.urls import path

from relasi.service.views import config, insights, kb, tickets
from relasi.service.views import ticket_actions as ta

app_name = "service"

urlpatterns = [
    *tickets.TicketViewSet().urls("tickets"),
    *tickets.ComplaintViewSet().urls("complaints"),
    path("complaints/report/", insights.complaint_report, name="complaint_report"),
    path("dashboard/", insights.dashboard, name="dashboard"),
    path("alerts/", insights.alerts, name="alerts"),
    path("alerts/read/", insights.alerts_read, name="alerts_read"),
    path("nps/", insights.nps_campaigns, name="nps"),
    path("surveys/", insights.surveys, name="survey_list"),
    path("tickets/<int:pk>/reply/", ta.reply, name="ticket_reply"),
    path("tickets/<int:pk>/customer-message/", ta.customer_message, name="ticket_customer_message"),
    path("tickets/<int:pk>/status/", ta.status, name="ticket_status"),
    path("tickets/<int:pk>/assign/", ta.assign, name="ticket_assign"),
    path("tickets/<int:pk>/merge/", ta.merge, name="ticket_merge"),
    path("tickets/<int:pk>/split/", ta.split, name="ticket_split"),
    path("tickets/<int:pk>/relate/", ta.relate, name="ticket_relate"),
    path("tickets/<int:pk>/relate/<int:other_pk>/remove/", ta.unrelate, name="ticket_unrelate"),
    path("tickets/<int:pk>/links/", ta.link, name="ticket_link"),
    path("tickets/<int:pk>/links/<int:link_pk>/remove/", ta.unlink, name="ticket_unlink"),
    path("tickets/<int:pk>/files/", ta.upload, name="ticket_upload"),
    path("tickets/<int:pk>/complaint/", ta.complaint, name="ticket_complaint"),
    path("tickets/<int:pk>/fcr/", ta.fcr, name="ticket_fcr"),
    path("tickets/<int:pk>/script/", ta.script_start, name="ticket_script_start"),
    path("tickets/<int:pk>/script/<int:run_pk>/", ta.script_answer, name="ticket_script_answer"),
    path("tickets/<int:pk>/canned/<int:canned_pk>/", ta.canned_text, name="ticket_canned"),
    path("files/<int:pk>/", ta.download, name="attachment_download"),
    path("files/<int:pk>/delete/", ta.delete_attachment, name="attachment_delete"),
    path("pick/customer/", ta.customer_picker, name="customer_picker"),
    path("pick/article/", ta.article_picker, name="article_picker"),
    *kb.ArticleViewSet().urls("kb"),
    *kb.ArticleCategoryViewSet().urls("kb/categories"),
    path("settings/", config.settings_index, name="settings"),
]
for _prefix, _viewset in config.CONFIG_VIEWSETS:
    urlpatterns += _viewset.urls(f"settings/{_prefix}")
