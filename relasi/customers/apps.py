from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "relasi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from relasi.core.registry import register_custom_fields
        from relasi.customers import models, search  # noqa: F401  (registers the search provider)

        register_custom_fields(models.Person)
        register_custom_fields(models.Organization)
