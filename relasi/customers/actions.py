"""Every state change of customers lives here (house rule 2)."""

from collections.abc import Iterable
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, crypto, records
from relasi.core.choices import AuditAction
from relasi.customers import phones
from relasi.customers.choices import Kind, Lifecycle
from relasi.customers.models import (
    Address,
    Attachment,
    Customer,
    EmailAddress,
    Group,
    GroupMembership,
    LifecycleChange,
    Membership,
    Note,
    PhoneNumber,
    Relationship,
)


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def person_name(first: str, last: str) -> str:
    return " ".join(p for p in ((first or "").strip(), (last or "").strip()) if p)


def refresh_denormalised(customer: Customer) -> None:
    """Recompute primary e-mail/phone, city/province and the search text of one customer."""
    emails = list(customer.emails.all())
    phone_rows = list(customer.phones.all())
    addresses = list(customer.addresses.all())
    orgs = [m.organization.name for m in customer.memberships.select_related("organization")]
    primary_email = next(
        (e.email for e in emails if e.is_primary), emails[0].email if emails else ""
    )
    dialable = [p for p in phone_rows if p.is_valid]  # a number kept flagged is never primary
    primary_phone = next(
        (p.number for p in dialable if p.is_primary), dialable[0].number if dialable else ""
    )
    primary_addr = next((a for a in addresses if a.is_primary), addresses[0] if addresses else None)
    parts = [customer.name, customer.legal_name, *orgs]
    parts += [e.email for e in emails]
    for p in phone_rows:
        parts += phones.variants(p.number) if p.is_valid else [p.number]
    parts += [a.city for a in addresses] + [a.province for a in addresses]
    Customer.objects.filter(pk=customer.pk).update(
        primary_email=primary_email,
        primary_phone=primary_phone,
        city=primary_addr.city if primary_addr else "",
        province=primary_addr.province if primary_addr else "",
        search_text=" ".join(p for p in parts if p).lower(),
    )
    from relasi.customers import search

    search.index_customers([customer.pk])


def _clean_contacts(
    emails: Iterable[Any], phone_list: Iterable[Any], kept_invalid: Iterable[str] = ()
) -> tuple[list[dict], list[dict]]:
    """Validated e-mails and E.164 phones. `kept_invalid` are numbers already stored flagged as
    invalid (an import kept them as written): sent back unchanged they stay, still flagged, so
    editing anything else on the record does not force fixing them first."""
    kept = set(kept_invalid)
    errors: dict[str, list[str]] = {}
    clean_emails: list[dict] = []
    for item in emails:
        data = item if isinstance(item, dict) else {"email": item}
        value = normalise_email(data.get("email", ""))
        if not value:
            continue
        from django.core.validators import validate_email

        try:
            validate_email(value)
        except ValidationError:
            errors.setdefault("emails", []).append(
                _("%(value)s is not a valid e-mail address.") % {"value": value}
            )
            continue
        if value not in [e["email"] for e in clean_emails]:
            clean_emails.append({**data, "email": value})
    clean_phones: list[dict] = []
    for item in phone_list:
        data = item if isinstance(item, dict) else {"number": item}
        raw = str(data.get("number", "")).strip()
        if not raw:
            continue
        e164 = phones.to_e164(raw)
        if e164 is None and raw in kept:
            if raw not in [p["number"] for p in clean_phones]:
                clean_phones.append({**data, "number": raw, "is_valid": False})
            continue
        if e164 is None:
            errors.setdefault("phones", []).append(
                _("%(value)s is not a valid phone number.") % {"value": raw}
            )
            continue
        if e164 not in [p["number"] for p in clean_phones]:
            clean_phones.append({**data, "number": e164})
    if errors:
        raise ValidationError(errors)
    return clean_emails, clean_phones


def _set_contacts(
    customer: Customer, emails: list[dict] | None, phone_list: list[dict] | None
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if emails is not None:
        before = sorted(customer.emails.values_list("email", flat=True))
        customer.emails.all().delete()
        for i, e in enumerate(emails):
            EmailAddress.objects.create(
                customer=customer,
                email=e["email"],
                label=e.get("label") or "personal",
                is_primary=bool(e.get("is_primary"))
                or (i == 0 and not any(x.get("is_primary") for x in emails)),
            )
        after = sorted(x["email"] for x in emails)
        if before != after:
            changes["emails"] = [before, after]
    if phone_list is not None:
        before = sorted(customer.phones.values_list("number", flat=True))
        customer.phones.all().delete()
        for i, p in enumerate(phone_list):
            PhoneNumber.objects.create(
                customer=customer,
                number=p["number"],
                label=p.get("label") or "mobile",
                is_valid=p.get("is_valid", True),
                is_primary=p.get("is_valid", True)
                and (
                    bool(p.get("is_primary"))
                    or (i == 0 and not any(x.get("is_primary") for x in phone_list))
                ),
            )
        after = sorted(x["number"] for x in phone_list)
        if before != after:
            changes["phones"] = [before, after]
    return changes


def _prepare(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["kind"] = kind
    if kind == Kind.PERSON:
        data["name"] = person_name(
            data.get("first_name", ""), data.get("last_name", "")
        ) or data.get("name", "")
    if not data.get("name"):
        raise ValidationError({"name": [_("A name is required.")]})
    return data


SENSITIVE = ("national_id", "bank_account")


def _sensitive(
    actor: Any, kind: str, data: dict[str, Any], current: Customer | None = None
) -> None:
    """Normalise and validate the sensitive values in `data` (in place) before they are sealed.

    Only users allowed to see them may set them (a system actor, such as an import run, may);
    a value equal to the stored one is dropped, so re-saving a form writes no new token and no
    audit entry."""
    present = [name for name in SENSITIVE if name in data]
    if not present:
        return
    if getattr(actor, "is_authenticated", False) and not crypto.may_reveal(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for name in present:
        entry = crypto.entry_for(Customer, name)
        assert entry is not None
        try:
            value = entry.clean(str(data[name] or ""))
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        if value and name == "national_id" and kind != Kind.PERSON:
            errors[name] = [_("Only people have a NIK.")]
            continue
        if current is not None:
            field = Customer._meta.get_field(name)
            stored = getattr(current, field.blind_index)  # type: ignore[attr-defined]
            same = (
                not value and not getattr(current, name)
                if not value
                else stored in crypto.blind_indexes(field.purpose, value)  # type: ignore[attr-defined]
            )
            if same:
                del data[name]
                continue
        data[name] = value
    if errors:
        raise ValidationError(errors)


def create_customer(
    actor: Any,
    kind: str,
    data: dict[str, Any],
    *,
    emails: Iterable[Any] = (),
    phones_: Iterable[Any] = (),
    tags: Iterable[Any] | None = None,
    address: dict[str, Any] | None = None,
) -> Customer:
    data = _prepare(kind, data)
    _sensitive(actor, kind, data)
    clean_emails, clean_phones = _clean_contacts(emails, phones_)
    if getattr(actor, "pk", None):
        if not data.get("owner"):
            data["owner"] = actor
        if not data.get("team"):
            data["team"] = getattr(data["owner"], "team", None)
    with transaction.atomic():
        customer = records.create_record(actor, Customer, data, tags=tags)
        _set_contacts(customer, clean_emails, clean_phones)
        if address and any(address.values()):
            Address.objects.create(customer=customer, is_primary=True, **address)
        LifecycleChange.objects.create(
            customer=customer,
            from_stage="",
            to_stage=customer.lifecycle_stage,
            changed_by=_user(actor),
        )
        refresh_denormalised(customer)
    customer.refresh_from_db()
    return customer


def update_customer(
    actor: Any,
    customer: Customer,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    emails: Iterable[Any] | None = None,
    phones_: Iterable[Any] | None = None,
    tags: Iterable[Any] | None = None,
) -> Customer:
    data = dict(data)
    _sensitive(actor, customer.kind, data, customer)
    if customer.kind == Kind.PERSON and ("first_name" in data or "last_name" in data):
        data["name"] = person_name(
            data.get("first_name", customer.first_name), data.get("last_name", customer.last_name)
        )
    new_stage = data.pop("lifecycle_stage", None)
    kept_invalid = customer.phones.filter(is_valid=False).values_list("number", flat=True)
    clean_emails, clean_phones = _clean_contacts(emails or [], phones_ or [], kept_invalid)
    with transaction.atomic():
        updated = records.update_record(
            actor, customer, data, expected_version=expected_version, tags=tags
        )
        changes = _set_contacts(
            updated,
            clean_emails if emails is not None else None,
            clean_phones if phones_ is not None else None,
        )
        if changes:
            audit.record(actor, AuditAction.UPDATE, updated, changes=changes)
        if new_stage and new_stage != updated.lifecycle_stage:
            updated = change_stage(actor, updated, new_stage)
        refresh_denormalised(updated)
    updated.refresh_from_db()
    return updated


def change_stage(actor: Any, customer: Customer, stage: str, note: str = "") -> Customer:
    if stage not in Lifecycle.values:
        raise ValidationError({"lifecycle_stage": [_("Unknown lifecycle stage.")]})
    if stage == customer.lifecycle_stage:
        return customer
    with transaction.atomic():
        LifecycleChange.objects.create(
            customer=customer,
            from_stage=customer.lifecycle_stage,
            to_stage=stage,
            changed_by=_user(actor),
            note=note[:300],
        )
        customer = records.update_record(
            actor, customer, {"lifecycle_stage": stage, "lifecycle_changed_at": timezone.now()}
        )
    return customer


def delete_customer(actor: Any, customer: Customer) -> None:
    try:
        records.delete_record(actor, customer)
    except records.InUseError as exc:  # deals, quotes, orders … still refer to it
        exc.options = ["reassign", "archive", "merge"]
        raise
    from relasi.customers import search

    search.unindex_customers([customer.pk])


def blacklist(actor: Any, customer: Customer, reason: str, note: str = "") -> Customer:
    return records.update_record(
        actor,
        customer,
        {
            "is_blacklisted": True,
            "blacklist_reason": reason,
            "blacklist_note": note[:300],
            "blacklisted_at": timezone.now(),
            "blacklisted_by": _user(actor),
        },
    )


def unblacklist(actor: Any, customer: Customer) -> Customer:
    return records.update_record(
        actor,
        customer,
        {
            "is_blacklisted": False,
            "blacklist_reason": "",
            "blacklist_note": "",
            "blacklisted_at": None,
            "blacklisted_by": None,
        },
    )


def add_note(actor: Any, customer: Customer, body: str) -> Note:
    clean = nh3.clean(
        body.strip(),
        tags={"b", "strong", "i", "em", "ul", "ol", "li", "p", "br", "a"},
        url_schemes={"http", "https", "mailto", "tel"},
    )
    if not clean:
        raise ValidationError({"body": [_("The note is empty.")]})
    return Note.objects.create(customer=customer, body=clean, author=_user(actor))


def delete_note(actor: Any, note: Note) -> None:
    records.delete_record(actor, note)


def add_address(actor: Any, customer: Customer, data: dict[str, Any]) -> Address:
    with transaction.atomic():
        if data.get("is_primary") or not customer.addresses.exists():
            customer.addresses.update(is_primary=False)
            data["is_primary"] = True
        address = Address(customer=customer, **data)
        address.full_clean()
        address.save()
        audit.record(actor, AuditAction.UPDATE, customer, changes={"address": [None, str(address)]})
        refresh_denormalised(customer)
    return address


def remove_address(actor: Any, address: Address) -> None:
    customer = address.customer
    with transaction.atomic():
        audit.record(actor, AuditAction.UPDATE, customer, changes={"address": [str(address), None]})
        address.delete()
        if not customer.addresses.filter(is_primary=True).exists():
            first = customer.addresses.first()
            if first:
                Address.objects.filter(pk=first.pk).update(is_primary=True)
        refresh_denormalised(customer)


def link_membership(
    actor: Any, person: Customer, organization: Customer, title: str = ""
) -> Membership:
    if person.kind != Kind.PERSON or organization.kind != Kind.ORGANIZATION:
        raise ValidationError(_("A membership links a person to an organisation."))
    membership, _created = Membership.objects.update_or_create(
        person=person, organization=organization, defaults={"title": title[:100]}
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        person,
        changes={"organisation": [None, f"{organization} ({title})"]},
    )
    refresh_denormalised(person)
    return membership


def unlink_membership(actor: Any, membership: Membership) -> None:
    person = membership.person
    audit.record(
        actor,
        AuditAction.UPDATE,
        person,
        changes={"organisation": [str(membership.organization), None]},
    )
    membership.delete()
    refresh_denormalised(person)


def relate(actor: Any, a: Customer, b: Customer, kind: str, note: str = "") -> Relationship:
    if a.pk == b.pk:
        raise ValidationError(_("A customer cannot be related to themselves."))
    rel, _created = Relationship.objects.get_or_create(
        from_customer=a,
        to_customer=b,
        kind=kind,
        defaults={"note": note[:200], "created_by": _user(actor)},
    )
    audit.record(actor, AuditAction.UPDATE, a, changes={"relationship": [None, str(rel)]})
    return rel


def unrelate(actor: Any, rel: Relationship) -> None:
    audit.record(
        actor, AuditAction.UPDATE, rel.from_customer, changes={"relationship": [str(rel), None]}
    )
    rel.delete()


def set_referrer(actor: Any, customer: Customer, referrer: Customer | None) -> Customer:
    if referrer is not None:
        # Refuse cycles: walk up the stored referral chain from the referrer.
        seen: set[int] = set()
        node_id: int | None = referrer.pk
        while node_id is not None and node_id not in seen:
            if node_id == customer.pk:
                raise ValidationError(_("That would make a referral loop."))
            seen.add(node_id)
            node_id = (
                Customer.objects.filter(pk=node_id).values_list("referred_by_id", flat=True).first()
            )
    return records.update_record(actor, customer, {"referred_by": referrer})


def add_to_group(actor: Any, group: Group, customers: Iterable[Customer]) -> int:
    added = 0
    for customer in customers:
        _m, created = GroupMembership.objects.get_or_create(
            group=group, customer=customer, defaults={"added_by": _user(actor)}
        )
        added += int(created)
    if added:
        audit.record(actor, AuditAction.UPDATE, group, changes={"members": [None, f"+{added}"]})
    return added


def remove_from_group(actor: Any, group: Group, customer: Customer) -> None:
    GroupMembership.objects.filter(group=group, customer=customer).delete()
    audit.record(actor, AuditAction.UPDATE, group, changes={"members": [str(customer), None]})


def add_attachment(actor: Any, customer: Customer, upload: Any) -> Attachment:
    from relasi.core.uploads import check_upload

    info = check_upload(upload)
    attachment = Attachment.objects.create(
        customer=customer,
        file=upload,
        original_name=info.safe_name,
        content_type=info.content_type,
        size=upload.size,
        uploaded_by=_user(actor),
    )
    audit.record(
        actor, AuditAction.UPDATE, customer, changes={"attachment": [None, info.safe_name]}
    )
    return attachment


def delete_attachment(actor: Any, attachment: Attachment) -> None:
    audit.record(
        actor,
        AuditAction.UPDATE,
        attachment.customer,
        changes={"attachment": [attachment.original_name, None]},
    )
    attachment.file.delete(save=False)
    attachment.delete()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
