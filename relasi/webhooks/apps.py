from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "relasi.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks and events")

    def ready(self) -> None:
        from relasi.core import events as core_events
        from relasi.core.recovery import register_sweep
        from relasi.webhooks import delivery, erasure, events  # noqa: F401  (registers)

        core_events.on_audit(events.from_audit)
        core_events.on_emit(events.from_emit)
        register_sweep(delivery.sweep)
