"""Lead actions: create, update, status, assignment, notes, conversion."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.access import get_for_user
from relasi.core.choices import AuditAction
from relasi.customers import actions as customer_actions
from relasi.customers.choices import Channel, Kind
from relasi.customers.duplicates import likely_duplicates
from relasi.customers.models import Customer
from relasi.customers.phones import to_e164
from relasi.sales import assignment, scoring
from relasi.sales.choices import LeadEventKind, LeadStatus
from relasi.sales.models import Deal, Lead, LeadEvent

# Fields a lead edit may carry (the form, the API and web forms all go through this list).
EDITABLE = (
    "first_name",
    "last_name",
    "name",
    "company",
    "job_title",
    "email",
    "phone",
    "city",
    "province",
    "source",
    "product_interest",
    "interest",
    "expected_value",
    "currency",
    "notes",
    "owner",
    "team",
    "custom",
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def log(lead: Lead, kind: str, actor: Any = None, message: str = "", **data: Any) -> LeadEvent:
    return LeadEvent.objects.create(
        lead=lead,
        kind=kind,
        actor=_user(actor),
        message=str(message)[:500],
        data=audit.jsonable(data),
    )


def _normalise(data: dict[str, Any], current: Lead | None = None) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k in EDITABLE}
    if "phone" in data:
        raw = (data["phone"] or "").strip()
        if raw:
            e164 = to_e164(raw)
            if e164 is None:
                raise ValidationError(
                    {"phone": [_("%(value)s is not a valid phone number.") % {"value": raw}]}
                )
            data["phone"] = e164
    if "email" in data:
        data["email"] = (data["email"] or "").strip().lower()
    first = data.get("first_name", current.first_name if current else "")
    last = data.get("last_name", current.last_name if current else "")
    if "first_name" in data or "last_name" in data or not data.get("name"):
        full = " ".join(p for p in (first.strip(), last.strip()) if p)
        if full:
            data["name"] = full
    if not (data.get("name") or (current and current.name)):
        if data.get("company"):
            data["name"] = data["company"]
        else:
            raise ValidationError({"name": [_("A name is required.")]})
    return data


def create_lead(
    actor: Any,
    data: dict[str, Any],
    *,
    tags: Any = None,
    auto_assign: bool = True,
    event: str = LeadEventKind.CREATED,
    event_message: str = "",
    extra: dict[str, Any] | None = None,
) -> Lead:
    """Create a lead; with no owner given, the assignment rules choose one."""
    data = _normalise(data)
    data.update(extra or {})
    rule = None
    with transaction.atomic():
        if not data.get("owner") and auto_assign:
            probe = Lead(**{k: v for k, v in data.items() if k not in ("custom",)})
            owner, rule = assignment.choose(probe)
            if owner is not None:
                data["owner"] = owner
                data["team"] = rule.team if rule and rule.team_id else owner.team
        if data.get("owner") and not data.get("team"):
            data["team"] = getattr(data["owner"], "team", None)
        if data.get("owner"):
            data["assigned_at"] = timezone.now()
        data.setdefault("last_activity_at", timezone.now())
        lead = records.create_record(actor, Lead, data, tags=tags)
        log(lead, event, actor, event_message)
        if lead.owner_id:
            log(
                lead,
                LeadEventKind.ASSIGNED,
                actor,
                _("Assigned to %(user)s") % {"user": lead.owner}
                + (f" ({_('rule')}: {rule.name})" if rule else ""),
                owner_id=lead.owner_id,
                rule=rule.name if rule else "",
            )
        scoring.rescore(lead)
    return lead


def update_lead(
    actor: Any,
    lead: Lead,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    tags: Any = None,
) -> Lead:
    data = _normalise(data, lead)
    old_owner = lead.owner_id
    with transaction.atomic():
        if "owner" in data and (data["owner"].pk if data["owner"] else None) != old_owner:
            data["assigned_at"] = timezone.now()
        updated = records.update_record(
            actor, lead, data, expected_version=expected_version, tags=tags
        )
        if updated.owner_id != old_owner:
            log(
                updated,
                LeadEventKind.ASSIGNED,
                actor,
                _("Reassigned to %(user)s") % {"user": updated.owner or "—"},
                owner_id=updated.owner_id,
                previous_owner_id=old_owner,
            )
        else:
            log(updated, LeadEventKind.UPDATED, actor, _("Details changed"))
        scoring.rescore(updated)
    return updated


def reassign(actor: Any, lead: Lead, owner: Any, *, expected_version: int | None = None) -> Lead:
    return update_lead(
        actor,
        lead,
        {"owner": owner, "team": getattr(owner, "team", None)},
        expected_version=expected_version,
    )


def auto_assign(actor: Any, lead: Lead) -> Lead:
    """Run the assignment rules again for an existing lead (e.g. its rep left)."""
    owner, rule = assignment.choose(lead)
    if owner is None or owner.pk == lead.owner_id:
        return lead
    with transaction.atomic():
        updated = records.update_record(
            actor,
            lead,
            {
                "owner": owner,
                "team": rule.team if rule and rule.team_id else owner.team,
                "assigned_at": timezone.now(),
            },
            audit_message=f"assignment rule: {rule.name if rule else ''}",
        )
        log(
            updated,
            LeadEventKind.ASSIGNED,
            actor,
            _("Reassigned to %(user)s") % {"user": owner}
            + (f" ({_('rule')}: {rule.name})" if rule else ""),
            owner_id=owner.pk,
            rule=rule.name if rule else "",
        )
    return updated


def change_status(
    actor: Any,
    lead: Lead,
    status: str,
    *,
    reason: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Lead:
    if status not in LeadStatus.values or status == LeadStatus.CONVERTED:
        raise ValidationError(
            {
                "status": [
                    _("Use the conversion to convert a lead.")
                    if status == LeadStatus.CONVERTED
                    else _("Unknown status.")
                ]
            }
        )
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("A converted lead cannot change status.")]})
    data: dict[str, Any] = {"status": status}
    if status == LeadStatus.DISQUALIFIED:
        if not reason:
            raise ValidationError(
                {"disqualify_reason": [_("Give a reason for disqualifying the lead.")]}
            )
        data.update(disqualify_reason=reason, disqualify_note=note[:300])
    else:
        data.update(disqualify_reason="", disqualify_note="")
    if status in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED):
        data["last_activity_at"] = timezone.now()
    with transaction.atomic():
        old = lead.get_status_display()
        updated = records.update_record(actor, lead, data, expected_version=expected_version)
        log(
            updated,
            LeadEventKind.STATUS,
            actor,
            f"{old} → {updated.get_status_display()}"
            + (f": {updated.get_disqualify_reason_display()}" if reason else ""),
            status=status,
        )
        if status == LeadStatus.CONTACTED:
            log(updated, LeadEventKind.CONTACT, actor, note or _("Contacted"))
        scoring.rescore(updated)
    return updated


def add_note(actor: Any, lead: Lead, body: str) -> LeadEvent:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a note.")]})
    with transaction.atomic():
        event = log(lead, LeadEventKind.NOTE, actor, body)
        Lead.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now())
        lead.refresh_from_db()
        scoring.rescore(lead)
    return event


def duplicate_candidates(actor: Any, lead: Lead) -> dict[str, list[dict[str, Any]]]:
    """What the duplicate check finds for the lead's person and organisation."""
    person = likely_duplicates(
        actor,
        {
            "kind": Kind.PERSON,
            "name": lead.name,
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "city": lead.city,
        },
        [lead.email],
        [lead.phone],
    )
    org = (
        likely_duplicates(
            actor, {"kind": Kind.ORGANIZATION, "name": lead.company, "city": lead.city}
        )
        if lead.company
        else []
    )
    return {"person": person, "organization": org}


class DuplicatesFound(Exception):
    """Conversion with "new" was asked but likely duplicates exist (force to create anyway)."""

    def __init__(self, found: list[dict[str, Any]]) -> None:
        super().__init__("likely duplicates")
        self.found = found


def _resolve(
    actor: Any, choice: Any, kind: str, found: list[dict[str, Any]], force: bool
) -> tuple[Customer | None, bool]:
    """(customer, created?) for a choice: None/"skip", "auto", "new" or an existing id."""
    if choice in (None, "", "skip"):
        return None, False
    if choice == "auto":
        return (found[0]["customer"], False) if found else (None, True)
    if choice == "new":
        if found and not force:
            raise DuplicatesFound(found)
        return None, True
    try:
        pk = int(choice)
    except (TypeError, ValueError):
        raise ValidationError(
            {kind: [_("Choose auto, new, skip or the number of an existing record.")]}
        ) from None
    customer = get_for_user(actor, Customer.objects.filter(kind=kind), pk=pk)
    return customer, False


def interest_lines(lead: Lead) -> list[dict[str, Any]]:
    """The deal lines a conversion starts from: one unit of the product of interest."""
    return [{"product": lead.product_interest, "quantity": 1}] if lead.product_interest_id else []


def conversion_lines_total(lead: Lead) -> Any:
    """What the deal's lines would add up to (None without lines): shown beside the typed
    value on the conversion page so the rep chooses which one the deal keeps."""
    from relasi.sales.actions import deals as deal_actions

    lines = interest_lines(lead)
    return deal_actions.lines_total(lines, lead.currency) if lines else None


def convert_lead(
    actor: Any,
    lead: Lead,
    *,
    person: Any = "auto",
    organization: Any = "auto",
    create_deal: bool = False,
    deal: dict[str, Any] | None = None,
    value_source: str | None = None,
    force: bool = False,
    expected_version: int | None = None,
) -> Lead:
    """Convert: link or create the person and/or organisation (through the duplicate check),
    optionally open a deal, and keep the lead as the history of how the customer arrived.

    The deal keeps the value typed (or the lead's expected value) unless `value_source` is
    "lines": then the product lines' sum replaces it."""
    from relasi.sales.actions import deals as deal_actions

    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("This lead is already converted.")]})
    if lead.status == LeadStatus.DISQUALIFIED:
        raise ValidationError({"status": [_("A disqualified lead cannot be converted.")]})
    found = duplicate_candidates(actor, lead)
    if not lead.company:
        organization = None
    person_obj, new_person = _resolve(actor, person, Kind.PERSON, found["person"], force)
    org_obj, new_org = _resolve(
        actor, organization, Kind.ORGANIZATION, found["organization"], force
    )
    if person_obj is None and not new_person and org_obj is None and not new_org:
        raise ValidationError({"person": [_("Choose or create a person or an organisation.")]})
    owner = lead.owner or _user(actor)
    with transaction.atomic():
        if new_org:
            org_obj = customer_actions.create_customer(
                actor,
                Kind.ORGANIZATION,
                {
                    "name": lead.company,
                    "source": lead.source,
                    "owner": owner,
                    "customer_type": "b2b",
                },
                address={"city": lead.city, "province": lead.province}
                if lead.city or lead.province
                else None,
            )
        if new_person:
            person_obj = customer_actions.create_customer(
                actor,
                Kind.PERSON,
                {
                    "first_name": lead.first_name or lead.name,
                    "last_name": lead.last_name,
                    "source": lead.source,
                    "occupation": lead.job_title,
                    "owner": owner,
                },
                emails=[{"email": lead.email}] if lead.email else [],
                phones_=[{"number": lead.phone}] if lead.phone else [],
                address={"city": lead.city, "province": lead.province}
                if lead.city or lead.province
                else None,
            )
        if person_obj is not None and org_obj is not None and (new_person or new_org):
            customer_actions.link_membership(actor, person_obj, org_obj, lead.job_title)
        main = person_obj or org_obj
        if lead.consent and main is not None and lead.email:
            # The web form's checkbox, with its wording and time: the ledger entry the form
            # would have written had the person been a customer already (double opt-in applies).
            from relasi.privacy import consent as privacy_consent

            privacy_consent.record(
                actor,
                main,
                "marketing",
                Channel.EMAIL,
                "granted",
                source="web_form",
                wording=lead.consent_text or "",
                evidence=_("Lead %(id)s") % {"id": lead.pk},
                occurred_at=lead.consent_at,
            )
        new_deal: Deal | None = None
        if create_deal:
            deal_data = dict(deal or {})
            deal_data.setdefault("name", lead.interest or lead.company or lead.name)
            deal_data.setdefault("value", lead.expected_value)
            deal_data.setdefault("currency", lead.currency)
            deal_data.setdefault("owner", owner)
            deal_data.setdefault("source", lead.source)
            deal_data["customer"] = person_obj or org_obj
            deal_data["organization"] = org_obj
            if value_source:
                deal_data["value_source"] = value_source
            lines = [] if deal_data.get("lines") else interest_lines(lead)
            new_deal = deal_actions.create_deal(
                actor, deal_data, lines=deal_data.pop("lines", None) or lines
            )
        updated = records.update_record(
            actor,
            lead,
            {
                "status": LeadStatus.CONVERTED,
                "converted_customer": person_obj,
                "converted_organization": org_obj,
                "converted_deal": new_deal,
                "converted_at": timezone.now(),
                "converted_by": _user(actor),
                "last_activity_at": timezone.now(),
            },
            expected_version=expected_version,
            audit_message="converted",
        )
        log(
            updated,
            LeadEventKind.CONVERTED,
            actor,
            _("Converted to %(what)s")
            % {"what": ", ".join(str(x) for x in (person_obj, org_obj, new_deal) if x)},
            person_id=getattr(person_obj, "pk", None),
            organization_id=getattr(org_obj, "pk", None),
            deal_id=getattr(new_deal, "pk", None),
            person_created=new_person,
            organization_created=new_org,
        )
        for customer in (person_obj, org_obj):
            if customer is not None:
                audit.record(
                    actor,
                    AuditAction.UPDATE,
                    customer,
                    message=f"lead {lead.pk} converted",
                    changes={"lead": [None, str(lead)]},
                )
    return updated


def delete_lead(actor: Any, lead: Lead) -> None:
    records.delete_record(actor, lead)
