"""Import targets for the customer database: people and organisations. This module reads and
checks rows; `customer_rows` writes them (and undoes them)."""

import datetime as dt
import re
from array import array
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.core import customfields
from relasi.core.access import visible_to
from relasi.core.models import Tag
from relasi.customers.choices import Kind, Lifecycle
from relasi.customers.models import Customer, EmailAddress, Organization, Person, PhoneNumber
from relasi.integrations import bulk
from relasi.integrations import normalise as norm
from relasi.integrations.choices import DuplicatePolicy, InvalidPhonePolicy
from relasi.integrations.targets import (
    CUSTOM_PREFIX,
    ChunkResult,
    ImportTarget,
    TargetField,
    register,
)
from relasi.integrations.targets import customer_rows as rows_
from relasi.integrations.targets.customer_rows import ADDRESS_KEYS

F = TargetField
_PHONE_SPLIT = re.compile(r"[,;]|\s+/\s+")  # "0812… / 0813…" is two numbers
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
    F("tags", gl("Tags (separated by , or ;)"), ("tags", "tag", "label", "labels", "label pelanggan", "kategori", "category", "segmen", "segment"), multi=True),
    F("background", gl("Background notes"), ("catatan", "notes", "note", "keterangan", "ket", "remarks", "remark", "comments", "comment", "komentar", "memo", "deskripsi", "description", "background"), multi=True),
    # Marketing consent per channel, written to the privacy app's ledger with the import as its
    # source. No such column: nothing is recorded (an import never invents consent).
    F("consent_email", gl("Marketing consent: e-mail (yes/no)"), ("consent email", "persetujuan email", "izin email", "email opt in", "opt in email", "langganan email", "newsletter")),
    F("consent_whatsapp", gl("Marketing consent: WhatsApp (yes/no)"), ("consent whatsapp", "persetujuan whatsapp", "izin wa", "izin whatsapp", "wa opt in", "opt in wa")),
    F("consent_sms", gl("Marketing consent: SMS (yes/no)"), ("consent sms", "persetujuan sms", "izin sms", "sms opt in")),
    F("consent_date", gl("Consent date"), ("consent date", "tanggal persetujuan", "tgl persetujuan", "opt in date", "tanggal izin")),
]  # fmt: skip
_YES = {
    "yes",
    "y",
    "ya",
    "1",
    "true",
    "setuju",
    "opt in",
    "opt-in",
    "optin",
    "granted",
    "bersedia",
    "mau",
}
_NO = {"no", "n", "tidak", "tdk", "t", "0", "false", "menolak", "opt out", "opt-out", "optout",
       "withdrawn", "unsubscribed", "berhenti", "tidak bersedia", "tidak mau"}  # fmt: skip
PERSON_FIELDS = [
    F("name", gl("Full name"), ("nama", "nama lengkap", "full name", "name", "nama pelanggan", "customer", "contact", "kontak")),
    F("first_name", gl("First name"), ("nama depan", "first name", "firstname", "given name")),
    F("last_name", gl("Last name"), ("nama belakang", "last name", "lastname", "surname", "family name")),
    F("date_of_birth", gl("Date of birth"), ("tanggal lahir", "tgl lahir", "birthday", "birth date", "date of birth", "dob", "ulang tahun")),
    F("gender", gl("Gender"), ("jenis kelamin", "gender", "sex", "jk", "kelamin")),
    F("occupation", gl("Occupation"), ("pekerjaan", "occupation", "profesi", "job", "job title", "jabatan")),
    F("company", gl("Company (organisation)"), ("perusahaan", "company", "organisasi", "organization", "organisation", "kantor", "instansi", "nama perusahaan", "company name")),
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
    today: dt.date = field(default_factory=timezone.localdate)
    keep_invalid_phones: bool = True
    create_orgs: bool = True
    tags: dict[str, int] = field(default_factory=dict)  # lower-cased name -> Tag id
    # The file line of each record this run has not written yet (fake id -n at index n-1), so a
    # row repeating an earlier one can say which; an int array stays small at a million rows.
    fake_lines: array = field(default_factory=lambda: array("l"))
    fake_pks: dict[int, int] = field(default_factory=dict)  # this chunk: fake id -> real id


def _why(kind: str, value: Any) -> str:
    if kind == "email":
        return _("same e-mail %(value)s") % {"value": value}
    if kind == "phone":
        return _("same phone %(value)s") % {"value": value}
    return _("similar name and details, score %(score)s") % {"score": f"{value:.2f}"}


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
            PhoneNumber.objects.filter(customer__kind=self.kind, is_valid=True)
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
        mapped = set(job.mapping.values())
        orgs: dict[str, int] = {}
        if self.kind == Kind.PERSON and "company" in mapped:
            # Only organisations the importer can see: a hidden one is neither linked nor named.
            orgs = {
                n.lower(): pk
                for pk, n in visible_to(job.owner, Customer.objects.organizations())
                .order_by("-id")
                .values_list("pk", "name")
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
            keep_invalid_phones=job.invalid_phones == InvalidPhonePolicy.KEEP,
            create_orgs=job.create_organisations,
        )
        if "tags" in mapped:
            ctx.tags = {n.lower(): pk for pk, n in Tag.objects.values_list("pk", "name")}
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
        warnings: list[str] = []  # the row is imported; these are reported beside it
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
        if one.get("date_of_birth"):
            try:
                rec["date_of_birth"] = norm.birth_date(one["date_of_birth"], ctx.today)
            except norm.CellError as exc:
                problems.append(str(exc))
        if one.get("gender"):
            try:
                rec["gender"] = norm.gender(one["gender"])
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
        if notes := "\n".join(v.strip() for v in values.get("background", ()) if v.strip()):
            rec["background"] = notes[:10000]
        emails: list[str] = []
        for raw in values.get("emails", ()):
            for part in raw.replace(";", ",").split(","):
                try:
                    if (e := norm.email(part)) and e not in emails:
                        emails.append(e)
                except norm.CellError as exc:
                    problems.append(str(exc))
        rec["emails"] = emails
        rec["phones"], bad_phones = self._phones(ctx, values.get("phones", ()), warnings)
        rec["bad_phones"] = bad_phones if ctx.keep_invalid_phones else []
        rec["tags"] = split_tags(values.get("tags", ()))
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
            rec["company"] = one["company"][:200]
            rec["org_id"] = ctx.orgs.get(rec["company"].lower())
        rec["custom"] = self._custom(ctx, values, problems)
        rec["consents"] = {}
        for channel in ("email", "whatsapp", "sms"):
            answer = one.get(f"consent_{channel}", "").lower()
            if not answer:
                continue
            if answer in _YES:
                rec["consents"][channel] = "granted"
            elif answer in _NO:
                rec["consents"][channel] = "withdrawn"
            else:
                problems.append(
                    _("%(value)s is not a yes or a no (consent).")
                    % {"value": one[f"consent_{channel}"][:40]}
                )
        if one.get("consent_date"):
            try:
                rec["consent_date"] = norm.date(one["consent_date"])
            except norm.CellError as exc:
                problems.append(str(exc))
        if problems:  # a rejected row names every fault, its phones too, to fix them at once
            problems += [norm.bad_phone_message(p) for p in bad_phones]
            raise norm.CellError(" ".join(problems))
        rec["_warnings"] = warnings
        return rec

    def _phones(self, ctx: Ctx, cells: Any, warnings: list[str]) -> tuple[list[str], list[str]]:
        """(E.164 numbers, numbers that are not valid, as written). A number libphonenumber
        rejects never rejects the row: it is kept flagged as invalid or left out (the import's
        choice), and the row gets a warning naming it."""
        good: list[str] = []
        bad: list[str] = []
        for raw in cells:
            for part in _PHONE_SPLIT.split(raw):
                try:
                    if (p := norm.phone(part)) and p not in good:
                        good.append(p)
                except norm.CellError:
                    written = part.strip()[:40]
                    if written in bad:
                        continue
                    bad.append(written)
                    if ctx.keep_invalid_phones:
                        msg = _("%(value)s is not a valid phone number; kept as written and flagged as invalid.")  # fmt: skip
                    else:
                        msg = _("%(value)s is not a valid phone number; left out.")
                    warnings.append(msg % {"value": written})
        return good, bad

    def _custom(self, ctx: Ctx, values: dict[str, list[str]], problems: list[str]) -> dict:
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
        return custom

    # --- write: one chunk ----------------------------------------------------------------------
    def _match(self, ctx: Ctx, rec: dict[str, Any]) -> tuple[int, str] | None:
        """(the record this row duplicates, why) or None."""
        for e in rec["emails"]:
            if e in ctx.emails:
                return ctx.emails[e], _why("email", e)
        for p in rec["phones"]:
            if p in ctx.phones:
                return ctx.phones[p], _why("phone", p)
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
                return int(found[0]), _why("name", found[1])
        return None

    def write(self, ctx: Ctx, job: Any, rows: list[tuple[int, Any, list[str]]]) -> ChunkResult:
        result = ChunkResult()
        creates: list[dict[str, Any]] = []
        updates: list[tuple[int, dict[str, Any], int, list[str]]] = []
        dupes: list[tuple[int, int, str, list[str]]] = []
        for line, rec, raw in rows:
            rec["_line"], rec["_raw"] = line, raw
            found = None if ctx.policy == DuplicatePolicy.CREATE else self._match(ctx, rec)
            if found is None:
                creates.append(rec)
                rec["_id"] = ctx.next_fake  # real ids come below; fakes dedupe within the file
                ctx.next_fake -= 1
                ctx.fake_lines.append(line)
                self._remember(ctx, rec, rec["_id"])
            elif ctx.policy == DuplicatePolicy.SKIP or found[0] < 0:
                result.skipped += 1
                dupes.append((line, found[0], found[1], raw))
            else:
                updates.append((found[0], rec, line, raw))
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
        for rec in [*creates, *(u[1] for u in updates)]:
            rows_.link_organisation(self, ctx, job, rec)
            if rec["tags"]:
                rec["tag_ids"] = rows_.tag_ids(ctx, rec["tags"])
        ctx.fake_pks = {}
        if not ctx.dry_run:
            if creates:
                rows_.create(self, ctx, job, creates)
            for target_id, rec, _line, _raw in updates:
                rows_.update(self, ctx, job, target_id, rec)
                rec["_pk"] = target_id
            _record_consents(job, [*creates, *(u[1] for u in updates)])
        result.created, result.updated = len(creates), len(updates)
        for line, match, why, raw in dupes:
            result.duplicates.append((line, self._duplicate_reason(ctx, match, why), raw,
                                      ctx.fake_pks.get(match) if match < 0 else match))  # fmt: skip
        for rec in [*creates, *(u[1] for u in updates)]:
            if rec["_warnings"]:
                result.warnings.append(
                    (rec["_line"], " ".join(rec["_warnings"]), rec["_raw"], rec.get("_pk"))
                )
        return result

    def _duplicate_reason(self, ctx: Ctx, match: int, why: str) -> str:
        if match < 0:
            return _("Repeats line %(line)s of this file (%(why)s).") % {
                "line": ctx.fake_lines[-match - 1],
                "why": why,
            }
        return _("Matches an existing record (%(why)s).") % {"why": why}

    def _remember(self, ctx: Ctx, rec: dict[str, Any], pk: int) -> None:
        for e in rec["emails"]:
            ctx.emails.setdefault(e, pk)
        for p in rec["phones"]:
            ctx.phones.setdefault(p, pk)

    def record_url(self, object_id: int) -> str:
        return Customer(pk=object_id, kind=self.kind).get_absolute_url()

    def undo(self, job: Any, actor: Any) -> dict[str, int]:
        return rows_.undo(job)


def _record_consents(job: Any, recs: list[dict[str, Any]]) -> None:
    """The consent columns of the written rows, as ledger events (source: import; evidence:
    the job and line), then the state of those customers rebuilt from their ledgers."""
    import datetime as dt

    from django.utils import timezone

    from relasi.privacy import consent
    from relasi.privacy.models import ConsentEvent

    wanted = [r for r in recs if r.get("consents") and r.get("_pk")]
    if not wanted:
        return
    marketing = consent.purpose_for("marketing")
    now = timezone.now()
    events = []
    for rec in wanted:
        day = rec.get("consent_date")
        at = (
            timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
            if day is not None and day <= now.date()
            else now
        )
        for channel, status in rec["consents"].items():
            events.append(
                ConsentEvent(
                    customer_id=rec["_pk"],
                    purpose=marketing,
                    channel=channel,
                    status=status,
                    basis="consent",
                    source="import",
                    evidence=(f"import #{job.pk}, line {rec['_line']}")[:300],
                    occurred_at=at,
                    actor_id=getattr(job, "owner_id", None),
                )
            )
    ConsentEvent.objects.bulk_create(events, batch_size=1000)
    consent.rebuild_states([r["_pk"] for r in wanted])


def split_tags(cells: Any) -> list[str]:
    """'VIP; Jakarta, vip' -> ['VIP', 'Jakarta'] (case-insensitively unique, at most 20)."""
    out: dict[str, str] = {}
    for cell in cells:
        for name in cell.replace(";", ",").split(","):
            if (name := name.strip()[:60]) and name.lower() not in out:
                out[name.lower()] = name
    return list(out.values())[:20]


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
