from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "relasi.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from relasi.commerce.signals import order_changed
        from relasi.core.recovery import register_sweep
        from relasi.loyalty import panels, timeline  # noqa: F401  (registers)
        from relasi.loyalty.actions import on_order_changed
        from relasi.loyalty.expiry import sweep

        order_changed.connect(on_order_changed, dispatch_uid="loyalty.earn")
        register_sweep(sweep)
