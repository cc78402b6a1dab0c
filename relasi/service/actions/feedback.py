"""Surveys: the CSAT + CES survey after a resolved ticket, NPS campaigns to a customer group,
and answering a survey by its single-use link."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, jobs
from relasi.core.choices import AuditAction
from relasi.customers.models import Customer, Group
from relasi.service import notify
from relasi.service.choices import SurveyKind
from relasi.service.models import NpsCampaign, Survey, Ticket

SURVEY_DAYS = 30


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _language(customer: Customer) -> str:
    return "en" if (customer.preferred_language or "").startswith("en") else "id"


def create_survey(
    kind: str,
    customer: Customer,
    *,
    ticket: Ticket | None = None,
    campaign: NpsCampaign | None = None,
    email: str = "",
    now: dt.datetime | None = None,
) -> tuple[Survey, str]:
    """A survey invitation and its raw token (only the hash is stored: the link is the key)."""
    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    survey = Survey.objects.create(
        kind=kind,
        customer=customer,
        ticket=ticket,
        campaign=campaign,
        token_hash=hash_token(raw),
        email=email,
        language=_language(customer),
        sent_at=now,
        expires_at=now + dt.timedelta(days=SURVEY_DAYS),
    )
    return survey, raw


def send_csat_survey(ticket_id: int) -> Survey | None:
    """E-mail the satisfaction survey for a resolved ticket (once per ticket)."""
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None or ticket.surveys.filter(kind=SurveyKind.CSAT).exists():
        return None
    email = ticket.customer.primary_email
    if not email:
        return None
    survey, raw = create_survey(SurveyKind.CSAT, ticket.customer, ticket=ticket, email=email)
    notify.survey(survey, raw)
    return survey


def find_survey(raw: str) -> Survey | None:
    if not raw or len(raw) > 200:
        return None
    return (
        Survey.objects.select_related("customer", "ticket")
        .filter(token_hash=hash_token(raw))
        .first()
    )


def survey_state(survey: Survey | None, now: dt.datetime | None = None) -> str:
    if survey is None:
        return "invalid"
    if survey.responded_at is not None:
        return "answered"
    if survey.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def _score(value: Any, low: int, high: int, label: str, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError({label: _("Please choose a score.")})
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({label: _("Please choose a score.")}) from exc
    if not low <= number <= high:
        raise ValidationError({label: _("Please choose a score.")})
    return number


def submit_survey(
    survey: Survey,
    *,
    csat: Any = None,
    ces: Any = None,
    nps: Any = None,
    comment: str = "",
) -> Survey:
    """Store the answer; a link works once and until it expires."""
    if survey_state(survey) != "open":
        raise ValidationError(_("This survey link has been used or has expired."))
    fields: dict[str, Any] = {"comment": (comment or "").strip()[:2000]}
    if survey.kind == SurveyKind.CSAT:
        fields["csat"] = _score(csat, 1, 5, "csat", True)
        fields["ces"] = _score(ces, 1, 7, "ces", False)
    else:
        fields["nps"] = _score(nps, 0, 10, "nps", True)
    now = timezone.now()
    with transaction.atomic():
        # The conditional update is the single-use guarantee, even for two requests at once.
        done = Survey.objects.filter(
            pk=survey.pk, responded_at__isnull=True, expires_at__gt=now
        ).update(responded_at=now, **fields)
        if done != 1:
            raise ValidationError(_("This survey link has been used or has expired."))
        target = survey.ticket or survey.customer
        audit.record(
            None,
            AuditAction.UPDATE,
            target,
            changes={k: [None, v] for k, v in fields.items() if v not in (None, "")},
            message=f"survey answered ({survey.kind})",
        )
    survey.refresh_from_db()
    return survey


def start_nps_campaign(actor: Any, name: str, group: Group) -> NpsCampaign:
    from relasi.service import tasks

    campaign = NpsCampaign.objects.create(name=name[:150], group=group, created_by=actor)
    job = jobs.start(
        "service.nps",
        actor,
        tasks.send_nps_campaign,
        label=_("NPS survey: %(name)s") % {"name": campaign.name},
        params={"campaign": campaign.pk},
    )
    NpsCampaign.objects.filter(pk=campaign.pk).update(job=job)
    campaign.job = job
    audit.record(actor, AuditAction.CREATE, campaign, message=f"NPS to group {group.pk}")
    return campaign


def run_nps_campaign(campaign_id: int, job: Any) -> None:
    """Send one NPS survey per group member with an e-mail address (resumable: members who
    already got this campaign's survey are skipped)."""
    campaign = NpsCampaign.objects.select_related("group").get(pk=campaign_id)
    if campaign.group is None:
        return
    members = Customer.objects.filter(group_memberships__group=campaign.group).order_by("pk")
    total = members.count()
    already = set(campaign.surveys.values_list("customer_id", flat=True))
    sent = len(already)
    skipped = 0
    for i, customer in enumerate(members.iterator(chunk_size=500), start=1):
        if customer.pk in already:
            continue
        if not customer.primary_email:
            skipped += 1
        else:
            survey, raw = create_survey(
                SurveyKind.NPS, customer, campaign=campaign, email=customer.primary_email
            )
            notify.survey(survey, raw)
            sent += 1
        if i % 25 == 0 or i == total:
            jobs.progress(job, i, total)
    NpsCampaign.objects.filter(pk=campaign.pk).update(sent_count=sent, skipped_count=skipped)
    job.result = {"sent": sent, "skipped": skipped}
    jobs.progress(job, total, total, message=f"{sent} sent, {skipped} without e-mail")
