from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "relasi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from relasi.core.registry import register_custom_fields
        from relasi.customers.merge import register_related
        from relasi.sales import approvals, dashboard, models, retention, search, timeline  # noqa: F401

        register_custom_fields(models.Product)
        register_custom_fields(models.Lead)
        register_custom_fields(models.Deal)
        # Deals, quotes and converted leads follow a customer merge.
        register_related(models.Deal, "customer")
        register_related(models.Deal, "organization")
        register_related(models.Quote, "customer")
        register_related(models.Lead, "converted_customer")
        register_related(models.Lead, "converted_organization")
