from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "relasi.integrations"
    label = "integrations"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from relasi.integrations.targets import customers  # noqa: F401  (registers targets)
