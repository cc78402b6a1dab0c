"""Import targets for the customer database: people and organisations."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.core import customfields
from relasi.core.access import visible_to
from relasi.customers import phones as phone_utils
from relasi.customers import search
from relasi.customers.choices import Kind, Lifecycle, Source
from relasi.customers.models import (
    Address,
    Customer,
    EmailAddress,
    Organization,
    Person,
    PhoneNumber,
)
from relasi.integrations import bulk
from relasi.integrations import normalise as norm
from relasi.integrations.choices import DuplicatePolicy, RecordAction
from relasi.integrations.models import ImportedRecord
from relasi.integrations.targets import (
    CUSTOM_PREFIX,
    ChunkResult,
    ImportTarget,
    TargetField,
    register,
)

F = TargetField
ADDRESS_KEYS = ("street", "rt", "rw", "kelurahan", "kecamatan", "city", "province", "postal_code")
SCALARS = ("name", "first_name", "last_name", "date_of_birth", "gender", "occupation",
           "lifecycle_stage", "legal_name", "industry", "website", "tax_id", "customer_type")  # fmt: skip
FUZZY_THRESHOLD = 0.9
_LIFECYCLE = {str(label).lower(): value for value, label in Lifecycle.choices} | {
    v: v for v in Lifecycle.values
}

COMMON_FIELDS = [
    F("emails", gl("E-mail"), ("email", "e-mail", "e mail", "surel", "alamat email", "email address", "mail"), multi=True),
    F("phones", gl("Phone"), ("phone", "telepon", "telp", "tlp", "no telp", "no hp", "hp", "handphone", "nomor hp", "no handphone", "whatsapp", "wa", "no wa", "mobile", "ponsel", "phone number", "nomor telepon"), multi=True),
    F("street", gl("Street address"), ("alamat", "address", "jalan", "street", "alamat lengkap")),
    F("rt", gl("RT"), ("rt",)),
    F("rw", gl("RW"), ("rw",)),
    F("kelurahan", gl("Kelurahan / desa"), ("kelurahan", "desa", "kel", "village")),
    F("kecamatan", gl("Kecamatan"), ("kecamatan", "kec", "district")),
    F("city", gl("City / regency"), ("kota", "kabupaten", "kota kabupaten", "kab", "city", "regency", "kota kab")),
    F("province", gl("Province"), ("provinsi", "propinsi", "province", "state", "prov")),
    F("postal_code", gl("Postal code"), ("kode pos", "kodepos", "postal code", "zip", "postcode", "zip code")),
    F("lifecycle_stage", gl("Lifecycle stage"), ("stage", "tahap", "status pelanggan", "lifecycle")),
    F("owner", gl("Owner (e-mail or username)"), ("owner", "pemilik", "sales", "pic", "account owner")),
]  # fmt: skip
PERSON_FIELDS = [
    F("name", gl("Full name"), ("nama", "nama lengkap", "full name", "name", "nama pelanggan", "customer", "contact", "kontak")),
    F("first_name", gl("First name"), ("nama depan", "first name", "firstname", "given name")),
    F("last_name", gl("Last name"), ("nama belakang", "last name", "lastname", "surname", "family name")),
    F("date_of_birth", gl("Date of birth"), ("tanggal lahir", "tgl lahir", "birthday", "birth date", "date of birth", "dob", "ulang tahun")),
    F("gender", gl("Gender"), ("jenis kelamin", "gender", "sex", "jk", "kelamin")),
    F("occupation", gl("Occupation"), ("pekerjaan", "occupation", "profesi", "job", "job title", "jabatan")),
    F("company", gl("Company (existing organisation)"), ("perusahaan", "company", "organisasi", "organization", "organisation", "kantor", "instansi")),
]  # fmt: skip
ORG_FIELDS = [
    F("name", gl("Name"), ("nama", "nama perusahaan", "perusahaan", "company", "company name", "organisation", "organization", "name")),
    F("legal_name", gl("Legal name"), ("nama resmi", "legal name", "badan usaha")),
    F("industry", gl("Industry"), ("industri", "industry", "bidang usaha", "sektor")),
    F("website", gl("Website"), ("website", "situs", "web", "url")),
    F("tax_id", gl("Tax ID (NPWP)"), ("npwp", "tax id", "vat")),
]  # fmt: skip


@dataclass
class Ctx:
    job: Any
    kind: str
    dry_run: bool
    policy: str
    user: Any
    now: dt.datetime
    custom: dict[str, Any]
    emails: dict[str, int]
    phones: dict[str, int]
    owners: dict[str, int]
    orgs: dict[str, int]
    matcher: Any = None
    next_fake: int = -1
    ct_id: int = 0
    cols: tuple = field(default_factory=tuple)


class CustomerTarget(ImportTarget):
    module = "customers"
    kind = Kind.PERSON
    model = Customer

    def base_fields(self) -> list[TargetField]:
        return (PERSON_FIELDS if self.kind == Kind.PERSON else ORG_FIELDS) + COMMON_FIELDS

    def check_mapping(self, keys: set[str]) -> str:
        if not keys & {"name", "first_name", "last_name"}:
            return _("Map a column to the name (or first / last name).")
        return ""

    # --- begin: everything duplicate checks need, loaded once ---------------------------------
    def begin(self, job: Any, *, dry_run: bool) -> Ctx:
        from relasi.accounts.models import User

        emails = dict(
            EmailAddress.objects.filter(customer__kind=self.kind)
            .order_by("-id")
            .values_list("email", "customer_id")
        )
        phones = dict(
            PhoneNumber.objects.filter(customer__kind=self.kind)
            .order_by("-id")
            .values_list("number", "customer_id")
        )
        owners: dict[str, int] = {}
        for pk, username, email in User.objects.filter(is_active=True).values_list(
            "pk", "username", "email"
        ):
            owners[username.lower()] = pk
            if email:
                owners.setdefault(email.lower(), pk)
        orgs: dict[str, int] = {}
        if self.kind == Kind.PERSON and "company" in job.mapping.values():
            orgs = {
                n.lower(): pk
                for pk, n in Customer.objects.organizations().values_list("pk", "name")
            }
        ctx = Ctx(
            job=job,
            kind=self.kind,
            dry_run=dry_run,
            policy=job.policy,
            user=job.owner,
            now=timezone.now(),
            custom={cf.key: cf for cf in customfields.definitions(self.model)},
            emails=emails,
            phones=phones,
            owners=owners,
            orgs=orgs,
            ct_id=ContentType.objects.get_for_model(Customer).pk,
            cols=bulk.columns(Customer),
        )
        if job.fuzzy and job.policy != DuplicatePolicy.CREATE:
            try:
                from relasi.customers.duplicates import Matcher  # type: ignore[import-not-found]

                ctx.matcher = Matcher.from_database()
            except ImportError:
                ctx.matcher = None
        return ctx

    # --- clean: one row -----------------------------------------------------------------------
    def clean(self, ctx: Ctx, values: dict[str, list[str]]) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        problems: list[str] = []
        one = {k: v[0].strip() for k, v in values.items()}
        for key in ("first_name", "last_name", "occupation", "legal_name", "industry", "tax_id"):
            if one.get(key):
                rec[key] = one[key][: 100 if key != "legal_name" else 200]
        name = one.get("name", "")
        if not name:
            name = " ".join(p for p in (rec.get("first_name"), rec.get("last_name")) if p)
        if not name:
            problems.append(_("The name is missing."))
        rec["name"] = name[:200]
        for key, fn in (("date_of_birth", norm.date), ("gender", norm.gender)):
            if one.get(key):
                try:
                    rec[key] = fn(one[key])
                except norm.CellError as exc:
                    problems.append(str(exc))
        if one.get("website"):
            site = one["website"]
            rec["website"] = (site if "://" in site else "https://" + site)[:200]
        if one.get("lifecycle_stage"):
            stage = _LIFECYCLE.get(one["lifecycle_stage"].lower())
            if stage is None:
                problems.append(
                    _("%(value)s is not a lifecycle stage.")
                    % {"value": one["lifecycle_stage"][:40]}
                )
            else:
                rec["lifecycle_stage"] = stage
        emails: list[str] = []
        for raw in values.get("emails", ()):
            for part in raw.replace(";", ",").split(","):
                try:
                    if (e := norm.email(part)) and e not in emails:
                        emails.append(e)
                except norm.CellError as exc:
                    problems.append(str(exc))
        phone_list: list[str] = []
        for raw in values.get("phones", ()):
            for part in raw.replace(";", ",").split(","):
                try:
                    if (p := norm.phone(part)) and p not in phone_list:
                        phone_list.append(p)
                except norm.CellError as exc:
                    problems.append(str(exc))
        rec["emails"], rec["phones"] = emails, phone_list
        address = {k: one[k][:100] for k in ADDRESS_KEYS if one.get(k)}
        if "city" in address:
            city, prov = norm.city(address["city"])
            address["city"] = city
            if prov and not address.get("province"):
                address["province"] = prov
        if "province" in address:
            address["province"] = norm.province(address["province"])
        for key, size in (("rt", 5), ("rw", 5), ("postal_code", 10), ("street", 200)):
            if key in address:
                address[key] = one[key][:size] if key == "street" else address[key][:size]
        rec["address"] = address
        if one.get("owner"):
            owner_id = ctx.owners.get(one["owner"].lower())
            if owner_id is None:
                problems.append(_("No active user %(value)s.") % {"value": one["owner"][:60]})
            rec["owner_id"] = owner_id
        if one.get("company"):
            rec["org_id"] = ctx.orgs.get(one["company"].lower())
            rec["company"] = one["company"][:200]
        custom: dict[str, Any] = {}
        for key, raw_values in values.items():
            if not key.startswith(CUSTOM_PREFIX):
                continue
            cf = ctx.custom.get(key[len(CUSTOM_PREFIX) :])
            if cf is None:
                continue
            raw = raw_values[0].strip()
            try:
                if cf.field_type == "date" and raw:
                    raw = norm.date(raw).isoformat()  # type: ignore[union-attr]
                custom[cf.key] = customfields.clean_value(cf, raw)
            except (ValidationError, norm.CellError) as exc:
                problems.append(
                    f"{cf.display_label}: "
                    + (" ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
                )
        rec["custom"] = custom
        if problems:
            raise norm.CellError(" ".join(problems))
        return rec

    # --- write: one chunk ----------------------------------------------------------------------
    def _match(self, ctx: Ctx, rec: dict[str, Any]) -> int | None:
        for e in rec["emails"]:
            if e in ctx.emails:
                return ctx.emails[e]
        for p in rec["phones"]:
            if p in ctx.phones:
                return ctx.phones[p]
        if ctx.matcher is not None:
            found = ctx.matcher.best_match(
                {
                    "name": rec["name"],
                    "first_name": rec.get("first_name", ""),
                    "last_name": rec.get("last_name", ""),
                    "emails": rec["emails"],
                    "phones": rec["phones"],
                    "city": rec["address"].get("city", ""),
                }
            )
            if found and found[1] >= FUZZY_THRESHOLD:
                return int(found[0])
        return None

    def write(self, ctx: Ctx, job: Any, rows: list[tuple[int, Any, list[str]]]) -> ChunkResult:
        result = ChunkResult()
        creates: list[dict[str, Any]] = []
        updates: list[tuple[int, dict[str, Any], int, list[str]]] = []
        for line, rec, raw in rows:
            match = None if ctx.policy == DuplicatePolicy.CREATE else self._match(ctx, rec)
            if match is None:
                creates.append(rec)
                rec["_id"] = ctx.next_fake  # real ids come below; fakes dedupe within the file
                ctx.next_fake -= 1
                self._remember(ctx, rec, rec["_id"])
            elif ctx.policy == DuplicatePolicy.SKIP or match < 0:
                result.skipped += 1
            else:
                updates.append((match, rec, line, raw))
        if updates:
            visible = set(
                visible_to(
                    ctx.user, Customer.objects.filter(pk__in={u[0] for u in updates})
                ).values_list("pk", flat=True)
            )
            for target_id, _rec, line, raw in updates:
                if target_id not in visible:
                    result.errors.append(
                        (line, _("Matches an existing record you may not change."), raw)
                    )
            updates = [u for u in updates if u[0] in visible]
        if ctx.dry_run:
            result.created, result.updated = len(creates), len(updates)
            return result
        if creates:
            self._create(ctx, job, creates)
        for target_id, rec, _line, _raw in updates:
            self._update(ctx, job, target_id, rec)
        result.created, result.updated = len(creates), len(updates)
        return result

    def _remember(self, ctx: Ctx, rec: dict[str, Any], pk: int) -> None:
        for e in rec["emails"]:
            ctx.emails.setdefault(e, pk)
        for p in rec["phones"]:
            ctx.phones.setdefault(p, pk)

    def _search_text(self, rec: dict[str, Any]) -> str:
        parts = [
            rec["name"],
            rec.get("legal_name", ""),
            rec.get("company", "") if rec.get("org_id") else "",
        ]
        parts += rec["emails"]
        for p in rec["phones"]:
            parts += phone_utils.variants(p)
        addr = rec["address"]
        parts += [addr.get("city", ""), addr.get("province", "")]
        return " ".join(p for p in parts if p).lower()

    def _create(self, ctx: Ctx, job: Any, creates: list[dict[str, Any]]) -> None:
        from relasi.customers.models import Membership

        names, defaults, pos = ctx.cols
        ids = bulk.allocate_ids(Customer, len(creates))
        now = bulk.adapt(ctx.now)
        user_id = job.owner_id
        team_id = job.team_id
        base = list(defaults)
        for key, value in (
            ("kind", self.kind), ("source", Source.IMPORT), ("created_at", now),
            ("updated_at", now), ("lifecycle_changed_at", now), ("owner_id", user_id),
            ("team_id", team_id),
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
        cust_rows, email_rows, phone_rows, addr_rows, fts, member_rows = [], [], [], [], [], []
        e_ids = bulk.allocate_ids(EmailAddress, sum(len(r["emails"]) for r in creates))
        ph_ids = bulk.allocate_ids(PhoneNumber, sum(len(r["phones"]) for r in creates))
        a_ids = bulk.allocate_ids(Address, sum(1 for r in creates if r["address"]))
        ei = pi = ai = 0
        for pk, rec in zip(ids, creates, strict=True):
            old = rec["_id"]
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
            text = self._search_text(rec)
            row[p_search] = text
            cust_rows.append(row)
            fts.append((pk, text))
            for n, e in enumerate(rec["emails"]):
                email_rows.append((e_ids[ei], pk, e, "personal", n == 0))
                ei += 1
            for n, p in enumerate(rec["phones"]):
                phone_rows.append((ph_ids[pi], pk, p, "mobile", n == 0))
                pi += 1
            if addr:
                addr_rows.append(
                    (a_ids[ai], pk, "home", *(addr.get(k, "") for k in ADDRESS_KEYS), "ID", True)
                )
                ai += 1
            if rec.get("org_id"):
                member_rows.append((pk, rec["org_id"], "", True, now))
        bulk.insert(Customer, names, cust_rows)
        bulk.insert(EmailAddress, ("id", "customer_id", "email", "label", "is_primary"), email_rows)
        bulk.insert(PhoneNumber, ("id", "customer_id", "number", "label", "is_primary"), phone_rows)
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
        bulk.fts_insert(fts)
        bulk.insert(
            ImportedRecord,
            ("import_job_id", "content_type_id", "object_id", "action", "before"),
            [(job.pk, ctx.ct_id, pk, RecordAction.CREATED, None) for pk in ids],
        )

    def _update(self, ctx: Ctx, job: Any, pk: int, rec: dict[str, Any]) -> None:
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
        added: dict[str, list[int]] = {"emails": [], "phones": [], "addresses": []}
        have_e = set(customer.emails.values_list("email", flat=True))
        for e in rec["emails"]:
            if e not in have_e:
                added["emails"].append(
                    EmailAddress.objects.create(
                        customer=customer, email=e, is_primary=not have_e
                    ).pk
                )
                have_e.add(e)
        have_p = set(customer.phones.values_list("number", flat=True))
        for p in rec["phones"]:
            if p not in have_p:
                added["phones"].append(
                    PhoneNumber.objects.create(
                        customer=customer, number=p, is_primary=not have_p
                    ).pk
                )
                have_p.add(p)
        if rec["address"] and not customer.addresses.exists():
            added["addresses"].append(
                Address.objects.create(customer=customer, is_primary=True, **rec["address"]).pk
            )
        Customer.objects.filter(pk=pk).update(
            **changes, version=customer.version + 1, updated_at=ctx.now
        )
        customer.refresh_from_db()
        refresh_denormalised(customer)
        self._remember(ctx, rec, pk)
        ImportedRecord.objects.create(
            import_job_id=job.pk,
            content_type_id=ctx.ct_id,
            object_id=pk,
            action=RecordAction.UPDATED,
            before={"fields": before, "added": added, "version_after": customer.version + 0},
        )

    # --- undo ---------------------------------------------------------------------------------
    def undo(self, job: Any, actor: Any) -> dict[str, int]:
        from relasi.customers.actions import refresh_denormalised  # noqa: F401

        stats = {"deleted": 0, "reverted": 0, "kept": 0}
        created = ImportedRecord.objects.filter(import_job=job, action=RecordAction.CREATED)
        ids = list(created.values_list("object_id", flat=True))
        for start in range(0, len(ids), 1000):
            batch = ids[start : start + 1000]
            stats["deleted"] += Customer.objects.filter(pk__in=batch).count()
            Customer.objects.filter(pk__in=batch).delete()
            search.unindex_customers(batch)
        for rec in ImportedRecord.objects.filter(
            import_job=job, action=RecordAction.UPDATED
        ).order_by("-id"):
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
            fields = dict(data.get("fields", {}))
            if fields.get("updated_at"):
                fields["updated_at"] = dt.datetime.fromisoformat(fields["updated_at"])
            if fields.get("date_of_birth"):
                fields["date_of_birth"] = dt.date.fromisoformat(fields["date_of_birth"])
            Customer.objects.filter(pk=rec.object_id).update(**fields)
            search.index_customers([rec.object_id])
            stats["reverted"] += 1
        return stats


@register
class PeopleTarget(CustomerTarget):
    key = "people"
    label = gl("People")
    kind = Kind.PERSON
    model = Person


@register
class OrganisationTarget(CustomerTarget):
    key = "organisations"
    label = gl("Organisations")
    kind = Kind.ORGANIZATION
    model = Organization
