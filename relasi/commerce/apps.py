from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "relasi.commerce"
    label = "commerce"
    verbose_name = _("Commerce")

    def ready(self) -> None:
        from relasi.commerce import figures, models, search, timeline  # noqa: F401  (registers)
        from relasi.core.registry import register_custom_fields
        from relasi.customers.merge import register_related
        from relasi.integrations.targets import orders  # noqa: F401  (registers the target)

        register_related(models.Order, "customer")
        register_custom_fields(models.Order)
