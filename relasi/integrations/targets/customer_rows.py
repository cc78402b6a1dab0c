"""Writing imported customers: one chunk of new records in a few bulk statements (never an ORM
object per row), updates of matched records, organisations and tags named in the file, and
the exact undo of all of it. `customers.CustomerTarget` calls these with its context."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from relasi.core.models import Tag
from relasi.customers import phones as phone_utils
from relasi.customers import search
from relasi.customers.choices import Kind, Source
from relasi.customers.models import Address, Customer, EmailAddress, Membership, PhoneNumber
from relasi.integrations import bulk
from relasi.integrations.choices import RecordAction
from relasi.integrations.models import ImportedRecord

ADDRESS_KEYS = ("street", "rt", "rw", "kelurahan", "kecamatan", "city", "province", "postal_code")
SCALARS = ("name", "first_name", "last_name", "date_of_birth", "gender", "occupation",
           "lifecycle_stage", "legal_name", "industry", "website", "tax_id", "customer_type",
           "background")  # fmt: skip
PHONE_COLS = ("id", "customer_id", "number", "label", "is_primary", "is_valid")
TAG_LINKS = Customer.tags.through


def link_organisation(target: Any, ctx: Any, job: Any, rec: dict[str, Any]) -> None:
    """Point a person at the organisation the file names: an existing one, one this import
    already created, or (the import's choice) a new one; otherwise warn on the row."""
    name = rec.get("company")
    if not name or rec.get("org_id"):
        return
    key = name.lower()
    if key in ctx.orgs:
        rec["org_id"] = ctx.orgs[key]
        return
    if not ctx.create_orgs:
        rec["_warnings"].append(
            _("No organisation named %(name)s exists; imported without it.") % {"name": name}
        )
        return
    if ctx.dry_run:
        pk = ctx.next_fake
        ctx.next_fake -= 1
        ctx.fake_lines.append(rec["_line"])
    else:
        org = Customer.objects.create(
            kind=Kind.ORGANIZATION,
            name=name,
            customer_type="b2b",
            source=Source.IMPORT,
            owner_id=job.owner_id,
            team_id=job.team_id,
            search_text=name.lower(),
        )
        search.index_customers([org.pk])
        ImportedRecord.objects.create(
            import_job_id=job.pk,
            content_type_id=ctx.ct_id,
            object_id=org.pk,
            action=RecordAction.CREATED,
        )
        pk = org.pk
    ctx.orgs[key] = rec["org_id"] = pk
    rec["_warnings"].append(
        _("Organisation %(name)s did not exist; it was created.") % {"name": name}
    )


def tag_ids(ctx: Any, names: list[str]) -> list[int]:
    """Tag ids for names (matched case-insensitively; new tags are created, except in a dry
    run, which only reports)."""
    out: list[int] = []
    for name in names:
        pk = ctx.tags.get(name.lower())
        if pk is None and not ctx.dry_run:
            pk = Tag.objects.get_or_create(name=name)[0].pk
            ctx.tags[name.lower()] = pk
        if pk is not None and pk not in out:
            out.append(pk)
    return out


def search_text(rec: dict[str, Any]) -> str:
    parts = [
        rec["name"],
        rec.get("legal_name", ""),
        rec.get("company", "") if (rec.get("org_id") or 0) > 0 else "",
    ]
    parts += rec["emails"]
    for p in rec["phones"]:
        parts += phone_utils.variants(p)
    parts += rec["bad_phones"]
    addr = rec["address"]
    parts += [addr.get("city", ""), addr.get("province", "")]
    return " ".join(p for p in parts if p).lower()


def create(target: Any, ctx: Any, job: Any, creates: list[dict[str, Any]]) -> None:
    names, defaults, pos = ctx.cols
    ids = bulk.allocate_ids(Customer, len(creates))
    now = bulk.adapt(ctx.now)
    base = list(defaults)
    for key, value in (
        ("kind", target.kind), ("source", Source.IMPORT), ("created_at", now),
        ("updated_at", now), ("lifecycle_changed_at", now), ("owner_id", job.owner_id),
        ("team_id", job.team_id),
    ):  # fmt: skip
        base[pos[key]] = value
    p_email, p_phone, p_city, p_prov = (
        pos["primary_email"],
        pos["primary_phone"],
        pos["city"],
        pos["province"],
    )
    p_search, p_id, p_custom, p_owner = (
        pos["search_text"],
        pos["id"],
        pos["custom"],
        pos["owner_id"],
    )
    scalar_pos = [(k, pos[k]) for k in SCALARS]
    cust_rows, email_rows, phone_rows, addr_rows, fts, member_rows, tag_rows = (
        [] for _ in range(7)
    )
    e_ids = bulk.allocate_ids(EmailAddress, sum(len(r["emails"]) for r in creates))
    ph_ids = bulk.allocate_ids(
        PhoneNumber, sum(len(r["phones"]) + len(r["bad_phones"]) for r in creates)
    )
    a_ids = bulk.allocate_ids(Address, sum(1 for r in creates if r["address"]))
    ei = pi = ai = 0
    for pk, rec in zip(ids, creates, strict=True):
        old = rec["_id"]
        ctx.fake_pks[old] = rec["_pk"] = pk
        for e in rec["emails"]:
            if ctx.emails.get(e) == old:
                ctx.emails[e] = pk
        for p in rec["phones"]:
            if ctx.phones.get(p) == old:
                ctx.phones[p] = pk
        row = base.copy()
        row[p_id] = pk
        for key, i in scalar_pos:
            if key in rec:
                row[i] = bulk.adapt(rec[key])
        if rec.get("owner_id"):
            row[p_owner] = rec["owner_id"]
        if rec["custom"]:
            row[p_custom] = bulk.adapt(rec["custom"])
        addr = rec["address"]
        row[p_email] = rec["emails"][0] if rec["emails"] else ""
        row[p_phone] = rec["phones"][0] if rec["phones"] else ""
        row[p_city] = addr.get("city", "")
        row[p_prov] = addr.get("province", "")
        text = search_text(rec)
        row[p_search] = text
        cust_rows.append(row)
        fts.append((pk, text))
        for n, e in enumerate(rec["emails"]):
            email_rows.append((e_ids[ei], pk, e, "personal", n == 0))
            ei += 1
        for n, p in enumerate(rec["phones"]):
            phone_rows.append((ph_ids[pi], pk, p, "mobile", n == 0, True))
            pi += 1
        for p in rec["bad_phones"]:  # kept as written, never primary
            phone_rows.append((ph_ids[pi], pk, p, "mobile", False, False))
            pi += 1
        if addr:
            addr_rows.append(
                (a_ids[ai], pk, "home", *(addr.get(k, "") for k in ADDRESS_KEYS), "ID", True)
            )
            ai += 1
        if rec.get("org_id"):
            member_rows.append((pk, rec["org_id"], "", True, now))
        tag_rows += [(pk, tag) for tag in rec.get("tag_ids", ())]
    bulk.insert(Customer, names, cust_rows)
    bulk.insert(EmailAddress, ("id", "customer_id", "email", "label", "is_primary"), email_rows)
    bulk.insert(PhoneNumber, PHONE_COLS, phone_rows)
    bulk.insert(
        Address,
        ("id", "customer_id", "kind", *ADDRESS_KEYS, "country", "is_primary"),
        addr_rows,
    )
    if member_rows:
        bulk.insert(
            Membership,
            ("person_id", "organization_id", "title", "is_primary", "created_at"),
            member_rows,
        )
    if tag_rows:
        bulk.insert(TAG_LINKS, ("customer_id", "tag_id"), tag_rows)
    bulk.fts_insert(fts)
    bulk.insert(
        ImportedRecord,
        ("import_job_id", "content_type_id", "object_id", "action", "before"),
        [(job.pk, ctx.ct_id, pk, RecordAction.CREATED, None) for pk in ids],
    )


def update(target: Any, ctx: Any, job: Any, pk: int, rec: dict[str, Any]) -> None:
    from relasi.customers.actions import refresh_denormalised

    customer = Customer.objects.get(pk=pk)
    keep = ["version", "updated_at", "primary_email", "primary_phone", "city", "province",
            "search_text", "custom", "owner_id"]  # fmt: skip
    changes: dict[str, Any] = {k: rec[k] for k in SCALARS if k in rec and rec[k] != ""}
    if rec.get("owner_id"):
        changes["owner_id"] = rec["owner_id"]
    if rec["custom"]:
        changes["custom"] = {**(customer.custom or {}), **rec["custom"]}
    before = {k: bulk.jsonable(getattr(customer, k)) for k in {*changes, *keep}}
    added: dict[str, list[int]] = {
        "emails": [], "phones": [], "addresses": [], "tags": [], "memberships": []
    }  # fmt: skip
    have_e = set(customer.emails.values_list("email", flat=True))
    for e in rec["emails"]:
        if e not in have_e:
            added["emails"].append(
                EmailAddress.objects.create(customer=customer, email=e, is_primary=not have_e).pk
            )
            have_e.add(e)
    have_p = set(customer.phones.values_list("number", flat=True))
    has_valid = customer.phones.filter(is_valid=True).exists()
    for p in [*rec["phones"], *rec["bad_phones"]]:
        if p not in have_p:
            valid = p in rec["phones"]
            added["phones"].append(
                PhoneNumber.objects.create(
                    customer=customer, number=p, is_valid=valid, is_primary=valid and not has_valid
                ).pk
            )
            has_valid = has_valid or valid
            have_p.add(p)
    if rec["address"] and not customer.addresses.exists():
        added["addresses"].append(
            Address.objects.create(customer=customer, is_primary=True, **rec["address"]).pk
        )
    if rec.get("tag_ids"):
        have_t = set(customer.tags.values_list("pk", flat=True))
        added["tags"] = [t for t in rec["tag_ids"] if t not in have_t]
        customer.tags.add(*added["tags"])
    org_id = rec.get("org_id")
    if org_id and not customer.memberships.filter(organization_id=org_id).exists():
        Membership.objects.create(
            person=customer, organization_id=org_id, is_primary=not customer.memberships.exists()
        )
        added["memberships"].append(org_id)
    Customer.objects.filter(pk=pk).update(
        **changes, version=customer.version + 1, updated_at=ctx.now
    )
    customer.refresh_from_db()
    refresh_denormalised(customer)
    target._remember(ctx, rec, pk)
    ImportedRecord.objects.create(
        import_job_id=job.pk,
        content_type_id=ctx.ct_id,
        object_id=pk,
        action=RecordAction.UPDATED,
        before={"fields": before, "added": added, "version_after": customer.version + 0},
    )


def undo(job: Any) -> dict[str, int]:
    stats = {"deleted": 0, "reverted": 0, "kept": 0}
    created = ImportedRecord.objects.filter(import_job=job, action=RecordAction.CREATED)
    ids = list(created.values_list("object_id", flat=True))
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        stats["deleted"] += Customer.objects.filter(pk__in=batch).count()
        Customer.objects.filter(pk__in=batch).delete()
        search.unindex_customers(batch)
    for rec in ImportedRecord.objects.filter(import_job=job, action=RecordAction.UPDATED).order_by(
        "-id"
    ):
        data = rec.before or {}
        current = (
            Customer.objects.filter(pk=rec.object_id).values_list("version", flat=True).first()
        )
        if current is None or current != data.get("version_after"):
            stats["kept"] += 1  # changed again since the import: the newer edit wins
            continue
        added = data.get("added", {})
        EmailAddress.objects.filter(pk__in=added.get("emails", [])).delete()
        PhoneNumber.objects.filter(pk__in=added.get("phones", [])).delete()
        Address.objects.filter(pk__in=added.get("addresses", [])).delete()
        TAG_LINKS.objects.filter(
            customer_id=rec.object_id, tag_id__in=added.get("tags", [])
        ).delete()
        Membership.objects.filter(
            person_id=rec.object_id, organization_id__in=added.get("memberships", [])
        ).delete()
        fields = dict(data.get("fields", {}))
        if fields.get("updated_at"):
            fields["updated_at"] = dt.datetime.fromisoformat(fields["updated_at"])
        if fields.get("date_of_birth"):
            fields["date_of_birth"] = dt.date.fromisoformat(fields["date_of_birth"])
        Customer.objects.filter(pk=rec.object_id).update(**fields)
        search.index_customers([rec.object_id])
        stats["reverted"] += 1
    return stats
