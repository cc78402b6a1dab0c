from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "relasi.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from relasi.customers.merge import register_derived
        from relasi.privacy import consent, retention, timeline  # noqa: F401  (registers)
        from relasi.privacy.models import ConsentState

        # The ledger's events move with a merge; the state is recomputed from them.
        register_derived(ConsentState, "customer", consent.rebuild_states)

        from relasi.core.mail import register_recipient_block
        from relasi.privacy.suppression import is_suppressed

        register_recipient_block(lambda address: is_suppressed("email", address))
