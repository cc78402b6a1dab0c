from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "relasi.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from relasi.conversations import (  # noqa: F401  (registers)
            adapters,
            erasure,
            kpis,
            sentiment_reports,
            timeline,
        )
        from relasi.conversations.actions import sweep
        from relasi.core.recovery import register_sweep

        register_sweep(sweep)

        from relasi.conversations import inbound_queue, webhooks_whatsapp

        inbound_queue.register("whatsapp", webhooks_whatsapp.process)
        register_sweep(inbound_queue.sweep)

        from relasi.activities.messaging import register_customer_channel
        from relasi.conversations.reminders import whatsapp_reminder

        register_customer_channel("whatsapp", whatsapp_reminder)

        from relasi.conversations import optin
        from relasi.privacy.links import register_confirmation_sender

        register_confirmation_sender("whatsapp", optin.whatsapp_request)
        register_confirmation_sender("sms", optin.sms_request)
