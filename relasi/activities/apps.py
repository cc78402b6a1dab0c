import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "relasi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from relasi.activities import dashboard, models, retention, timeline  # noqa: F401
        from relasi.core.registry import register_custom_fields
        from relasi.customers.merge import register_related

        register_related(models.Activity, "customer")
        register_related(models.ActivityContact, "customer")
        register_related(models.Visit, "customer")
        register_custom_fields(models.Activity)
        try:  # the customer page's panel registry (relasi.customers.panels), where it exists
            customer_panels = importlib.import_module("relasi.customers.panels")
        except ImportError:
            return
        from relasi.activities.panels import customer_panel

        customer_panels.register("customer")(customer_panel)
