"""What retention (relasi/privacy/retention.py) may do with closed tickets: anonymise them only.
The ticket row, its status, dates, SLA figures, counters and message rows stay, so the service
KPIs (volumes, response and resolution times, FCR, CSAT) count them as before; the subject,
texts, message bodies, attachments and script answers go."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relasi.privacy.retention import ANONYMISED, RecordType, register, scrub_audit
from relasi.service.choices import Status


def _anonymise_tickets(qs: models.QuerySet) -> int:
    from relasi.service.models import Ticket, TicketAttachment, TicketMessage
    from relasi.service.models.tickets import ScriptRun

    pks = list(qs.values_list("pk", flat=True))
    for attachment in TicketAttachment.objects.filter(ticket_id__in=pks):
        attachment.file.delete(save=False)
        attachment.delete()
    TicketMessage.objects.filter(ticket_id__in=pks).update(body=ANONYMISED, emailed_to="")
    ScriptRun.objects.filter(ticket_id__in=pks).update(answers=[], outcome="")
    n = Ticket.objects.filter(pk__in=pks).update(
        subject=ANONYMISED, description="", resolution="", root_cause_detail="", search_text="",
        custom={},
    )  # fmt: skip
    scrub_audit(Ticket, pks)
    return n


register(
    RecordType(
        key="service.ticket",
        label=_("Closed tickets"),
        model="service.ticket",
        date_field="closed_at",
        rule=_("closed more than N months ago (anonymised; the KPIs keep counting them)"),
        condition=lambda qs, cutoff: qs.filter(status=Status.CLOSED),
        anonymise=_anonymise_tickets,
        anonymised=lambda qs: qs.filter(subject=ANONYMISED),
        default_months=60,
        order=30,
    )
)
