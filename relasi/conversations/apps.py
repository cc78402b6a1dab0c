from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "relasi.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from relasi.conversations import adapters, erasure, kpis, timeline  # noqa: F401  (registers)
        from relasi.conversations.actions import sweep
        from relasi.core.recovery import register_sweep

        register_sweep(sweep)
