from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "relasi.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from relasi.core.registry import register_custom_fields
        from relasi.customers import merge
        from relasi.service import dashboard, models, retention, search, timeline  # noqa: F401

        register_custom_fields(models.Ticket)
        merge.register_related(models.Ticket, "customer")
        merge.register_related(models.Survey, "customer")
        merge.register_related(models.PortalLoginToken, "customer")
