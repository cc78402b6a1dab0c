from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "relasi.integrations"
    label = "integrations"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from relasi.core import access
        from relasi.integrations import (
            retention,  # noqa: F401  (registers a record type)
            targets,
        )
        from relasi.integrations.targets import customers  # noqa: F401  (registers targets)

        # The Imports menu entry and buttons: shown when some target accepts the user's imports.
        access.register_check("import", lambda user: bool(targets.choices(user)))
