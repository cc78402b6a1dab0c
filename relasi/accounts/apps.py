from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "relasi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from relasi.core import access

        # Who may read and set sensitive fields (core/crypto.py): the role's own flag.
        access.register_check("privacy.sensitive", lambda user: bool(user.may_view_sensitive))
