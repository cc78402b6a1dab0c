from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "relasi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from relasi.core.registry import register_custom_fields
        from relasi.sales import models

        register_custom_fields(models.Product)
