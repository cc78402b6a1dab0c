from django.urls import path

from relasi.conversations import views, views_webchat, webhooks_sms, webhooks_whatsapp
from relasi.conversations.views_config import InboxViewSet

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/ticket/", views.make_ticket, name="make_ticket"),
    path("<int:pk>/lead/", views.make_lead, name="make_lead"),
    path("<int:pk>/customer/", views.link_customer, name="link_customer"),
    path("<int:pk>/canned/<int:canned_pk>/", views.canned_text, name="canned"),
    path("pick/customer/", views.customer_picker, name="customer_picker"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("widget/demo/", views_webchat.demo, name="widget_demo"),
    path("widget/<str:key>/messages/", views_webchat.messages, name="widget_messages"),
    path("widget/<str:key>/identify/", views_webchat.identify, name="widget_identify"),
    path("widget/<str:key>/stream/", views_webchat.events, name="widget_stream"),
    *InboxViewSet().urls("settings/inboxes"),
    # Public: Meta's servers call it; the signature and the inbox's key stand in for a login.
    path("hooks/whatsapp/<str:key>/", webhooks_whatsapp.hook, name="whatsapp_hook"),
    # Public: the SMS gateway calls them; its signature and the inbox's key stand in for a login.
    path("hooks/sms/<str:key>/", webhooks_sms.inbound, name="sms_inbound"),
    path("hooks/sms/<str:key>/status/", webhooks_sms.status, name="sms_status"),
]
