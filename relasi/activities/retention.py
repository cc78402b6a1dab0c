"""What retention (relasi/privacy/retention.py) may do with finished activities (done or
cancelled): anonymise (title, notes, place and the customer's note go; kind, dates, outcome and
links stay for the activity reports) or delete."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relasi.activities.choices import Status
from relasi.privacy.retention import ANONYMISED, RecordType, delete_rows, register, scrub_audit


def _anonymise(qs: models.QuerySet) -> int:
    from relasi.activities.models import Activity

    pks = list(qs.values_list("pk", flat=True))
    n = Activity.objects.filter(pk__in=pks).update(
        title=ANONYMISED, description="", location="", confirmation_note="", custom={}
    )
    scrub_audit(Activity, pks)
    return n


register(
    RecordType(
        key="activities.activity",
        label=_("Finished activities"),
        model="activities.activity",
        date_field="updated_at",
        rule=_("done or cancelled, unchanged for N months"),
        condition=lambda qs, cutoff: qs.filter(status__in=[Status.DONE, Status.CANCELLED]),
        anonymise=_anonymise,
        anonymised=lambda qs: qs.filter(title=ANONYMISED),
        delete=delete_rows,
        default_months=36,
        order=40,
    )
)
