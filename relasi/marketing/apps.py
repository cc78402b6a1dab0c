from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "relasi.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from relasi.analytics import mart
        from relasi.customers import filtersets
        from relasi.marketing import scores, segments

        # The people list's `?segment=<id>` (customers sits below marketing: a registry).
        filtersets.register_segment_filter(segments.filter_people, segments.choices_for)
        # RFM segment, CLV band and churn risk copied out of the mart after every refresh, so a
        # segment condition on them is an indexed subquery in the database, not a mart query.
        mart.register_post_refresh(scores.post_refresh)
