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
        from relasi.core import crypto
        from relasi.customers import validators

        crypto.register(
            models.Customer,
            "national_id",
            _("NIK"),
            normalise=validators.digits_only,
            validate=validators.validate_nik,
        )
        crypto.register(
            models.Customer,
            "bank_account",
            _("Bank account number"),
            normalise=validators.digits_only,
            validate=validators.validate_bank_account,
        )
