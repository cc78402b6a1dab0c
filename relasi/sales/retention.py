"""What retention (relasi/privacy/retention.py) may do with sales records: leads that were never
converted and web form submissions. A converted lead is history of a customer and never matches;
deleting a lead leaves any customer, deal or submission that referred to it in place."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from relasi.privacy.retention import ANONYMISED, RecordType, delete_rows, register, scrub_audit
from relasi.sales.choices import LeadStatus


def _unconverted(qs: models.QuerySet, cutoff: Any) -> models.QuerySet:
    return qs.filter(
        converted_customer__isnull=True,
        converted_organization__isnull=True,
        converted_deal__isnull=True,
        converted_at__isnull=True,
        updated_at__lt=cutoff,
    ).exclude(status=LeadStatus.CONVERTED)


def _anonymise_leads(qs: models.QuerySet) -> int:
    from relasi.sales.models import Lead, LeadEvent, WebFormSubmission

    pks = list(qs.values_list("pk", flat=True))
    n = Lead.objects.filter(pk__in=pks).update(
        name=ANONYMISED, first_name="", last_name="", company="", job_title="", email="",
        phone="", city="", interest="", notes="", disqualify_note="", consent_text="",
        score_reasons=[], custom={},
    )  # fmt: skip
    LeadEvent.objects.filter(lead_id__in=pks).update(message="", data={})
    WebFormSubmission.objects.filter(lead_id__in=pks).update(data={}, ip_hash="", referrer="")
    scrub_audit(Lead, pks)
    return n


def _anonymise_submissions(qs: models.QuerySet) -> int:
    return qs.update(data={}, ip_hash="", referrer=ANONYMISED)


register(
    RecordType(
        key="sales.lead",
        label=_("Leads not converted"),
        model="sales.lead",
        date_field="last_activity_at",
        rule=_("never converted, no activity and no change for N months"),
        condition=_unconverted,
        anonymise=_anonymise_leads,
        anonymised=lambda qs: qs.filter(name=ANONYMISED),
        delete=delete_rows,
        default_months=24,
        order=10,
    )
)
register(
    RecordType(
        key="sales.webformsubmission",
        label=_("Web form submissions"),
        model="sales.webformsubmission",
        date_field="at",
        rule=_("submitted more than N months ago"),
        anonymise=_anonymise_submissions,
        anonymised=lambda qs: qs.filter(referrer=ANONYMISED),
        delete=delete_rows,
        default_months=24,
        order=20,
    )
)
