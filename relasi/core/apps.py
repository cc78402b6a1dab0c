from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "relasi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from relasi.core import checks, home  # noqa: F401  (system checks, home-page panels)
        from relasi.core.text import install_form_validator

        install_form_validator()  # no form accepts NUL or bidi-override characters
