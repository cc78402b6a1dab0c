"""The record of processing activities (UU PDP art. 31; GDPR art. 30): its defaults, its writes
and its export for the regulator (CSV / XLSX through core.exporting, PDF through WeasyPrint),
each in Bahasa Indonesia or English."""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relasi.core import records
from relasi.privacy.choices import DataCategory, LawfulBasis, SubjectCategory

LANGUAGES = ("id", "en")

_SECURITY = (
    "Role-based access with record visibility, two-factor sign-in for administrators, "
    "encrypted connections (HTTPS), audit trail of every change and export, encrypted backups.",
    "Akses berbasis peran dengan visibilitas data, masuk dua faktor untuk administrator, koneksi "
    "terenkripsi (HTTPS), jejak audit setiap perubahan dan ekspor, cadangan terenkripsi.",
)
_INTERNAL = ("Sales, service and management staff", "Staf penjualan, layanan dan manajemen")
_HOSTING = ("Hosting provider", "Penyedia hosting")
_EMAIL = (
    "Hosting provider; e-mail and WhatsApp providers",
    "Penyedia hosting; penyedia e-mail dan WhatsApp",
)
_RETAIN = ("As long as the customer relationship lasts, then 5 years",
           "Selama hubungan pelanggan berlangsung, kemudian 5 tahun")  # fmt: skip
_C, _L, _O = SubjectCategory.CUSTOMERS, SubjectCategory.LEADS, SubjectCategory.ORG_CONTACTS
_D = DataCategory

# key, purpose key, name, name_id, description, description_id, basis, subjects, data,
# internal recipients, processors, partners, retention
DEFAULTS: list[tuple[Any, ...]] = [
    ("customer-records", "", "Customer records", "Data pelanggan",
     "Keeping the people and organisations the business serves, with their contact details.",
     "Menyimpan orang dan organisasi yang dilayani usaha, beserta data kontaknya.",
     LawfulBasis.CONTRACT, [_C, _L, _O], [_D.IDENTITY, _D.CONTACT, _D.ID_NUMBERS],
     _INTERNAL, _HOSTING, ("", ""), _RETAIN),
    ("orders", "", "Orders", "Pesanan",
     "Recording purchases, payments and returns from stores, POS and online shops.",
     "Mencatat pembelian, pembayaran dan retur dari toko, POS dan toko daring.",
     LawfulBasis.CONTRACT, [_C], [_D.IDENTITY, _D.CONTACT, _D.PURCHASES, _D.FINANCIAL],
     _INTERNAL, _HOSTING, ("Payment and delivery partners", "Mitra pembayaran dan pengiriman"),
     ("10 years (tax and accounting records)", "10 tahun (catatan pajak dan akuntansi)")),
    ("service-tickets", "service", "Service tickets", "Tiket layanan",
     "Answering questions and complaints by e-mail, WhatsApp, phone and the portal.",
     "Menjawab pertanyaan dan keluhan melalui e-mail, WhatsApp, telepon dan portal.",
     LawfulBasis.CONTRACT, [_C, _O], [_D.IDENTITY, _D.CONTACT, _D.COMMUNICATIONS],
     ("Service staff", "Staf layanan"), _EMAIL, ("", ""),
     ("5 years after the ticket is closed", "5 tahun setelah tiket ditutup")),
    ("marketing", "marketing", "Marketing", "Pemasaran",
     "Offers, newsletters, promotions and campaigns to people who agreed to them.",
     "Penawaran, buletin, promosi dan kampanye kepada orang yang menyetujuinya.",
     LawfulBasis.CONSENT, [_C, _L], [_D.IDENTITY, _D.CONTACT, _D.PREFERENCES, _D.PURCHASES],
     ("Marketing staff", "Staf pemasaran"), _EMAIL, ("", ""),
     ("Until consent is withdrawn", "Sampai persetujuan ditarik")),
    ("service-messages", "service", "Service messages", "Pesan layanan",
     "Messages about orders, tickets, appointments and quotes the person asked for.",
     "Pesan tentang pesanan, tiket, janji temu dan penawaran harga yang diminta.",
     LawfulBasis.CONTRACT, [_C, _O], [_D.IDENTITY, _D.CONTACT, _D.COMMUNICATIONS],
     _INTERNAL, _EMAIL, ("", ""), _RETAIN),
    ("profiling", "profiling", "Profiling and analytics", "Profil dan analitik",
     "Segments, scores and predictions built from purchase history.",
     "Segmen, skor dan prediksi yang dihitung dari riwayat pembelian.",
     LawfulBasis.LEGITIMATE_INTERESTS, [_C], [_D.PURCHASES, _D.PREFERENCES, _D.LOCATION],
     ("Management and analysts", "Manajemen dan analis"), _HOSTING, ("", ""),
     ("Recomputed daily; scores kept 24 months", "Dihitung ulang setiap hari; skor disimpan 24 bulan")),
    ("partners", "partners", "Sharing with partners", "Berbagi dengan mitra",
     "Passing contact details to partners for their own offers.",
     "Meneruskan data kontak ke mitra untuk penawaran mereka sendiri.",
     LawfulBasis.CONSENT, [_C], [_D.IDENTITY, _D.CONTACT],
     ("Marketing staff", "Staf pemasaran"), _HOSTING, ("Named partners", "Mitra yang disebutkan"),
     ("Until consent is withdrawn", "Sampai persetujuan ditarik")),
]  # fmt: skip


def ensure_defaults(ProcessingActivity: Any, Purpose: Any, language: str | None = None) -> None:
    """Create whatever default activity is missing (never changes an existing row). Free texts
    are written in the install's language; names and descriptions in both."""
    i = 1 if (language or settings.LANGUAGE_CODE).startswith("id") else 0
    purposes = {p.key: p for p in Purpose.objects.all()}
    for order, row in enumerate(DEFAULTS):
        (
            key,
            purpose,
            name,
            name_id,
            desc,
            desc_id,
            basis,
            subjects,
            data,
            internal,
            proc,
            partners,
            keep,
        ) = row
        ProcessingActivity.objects.get_or_create(
            key=key,
            defaults={
                "purpose": purposes.get(purpose), "name": name, "name_id": name_id,
                "description": desc, "description_id": desc_id, "basis": str(basis),
                "subject_categories": [str(s) for s in subjects],
                "data_categories": [str(d) for d in data],
                "recipients_internal": internal[i], "processors": proc[i], "partners": partners[i],
                "retention": keep[i], "security_measures": _SECURITY[i], "sort_order": order * 10,
            },
        )  # fmt: skip


# --- writes ---------------------------------------------------------------------------------------
def _clean(data: dict[str, Any]) -> dict[str, Any]:
    from relasi.privacy.breach import check_choices

    data = dict(data)
    for name, allowed in (
        ("subject_categories", SubjectCategory.values),
        ("data_categories", DataCategory.values),
    ):
        if name in data:
            data[name] = check_choices(name, data[name], allowed)
    return data


def create_activity(actor: Any, data: dict[str, Any]) -> Any:
    from relasi.privacy.models import ProcessingActivity

    return records.create_record(actor, ProcessingActivity, _clean(data), audit_message="ropa")


def update_activity(
    actor: Any, activity: Any, data: dict[str, Any], expected_version: int | None = None
) -> Any:
    return records.update_record(
        actor, activity, _clean(data), expected_version=expected_version, audit_message="ropa"
    )


def delete_activity(actor: Any, activity: Any) -> None:
    records.delete_record(actor, activity, audit_message="ropa")


# --- the export -----------------------------------------------------------------------------------
def _labels(values: list[str], choices: Any) -> str:
    names = dict(choices)
    return "; ".join(str(names.get(v, v)) for v in values)


def header() -> list[str]:
    """Column titles in the active language."""
    return [
        _("Processing activity"), _("Purpose"), _("Description"), _("Lawful basis"),
        _("Whose data"), _("Data categories"), _("Internal recipients"), _("Processors"),
        _("Third parties and partners"), _("Transferred outside Indonesia"),
        _("Transfer destinations"), _("Transfer safeguards"), _("Retention"),
        _("Security measures"),
    ]  # fmt: skip


def rows(queryset: Any) -> Iterator[list[Any]]:
    """One row per activity in the active language (names, choices, yes/no)."""
    for a in queryset.select_related("purpose"):
        yield [
            a.label, a.purpose.label if a.purpose else "", a.text, a.get_basis_display(),
            _labels(a.subject_categories, SubjectCategory.choices),
            _labels(a.data_categories, DataCategory.choices), a.recipients_internal,
            a.processors, a.partners, _("Yes") if a.transfers_abroad else _("No"),
            a.transfer_destinations, a.transfer_safeguards, a.retention, a.security_measures,
        ]  # fmt: skip


def export_table(queryset: Any, lang: str) -> tuple[list[str], list[list[Any]]]:
    with translation.override(lang if lang in LANGUAGES else settings.LANGUAGE_CODE):
        return header(), list(rows(queryset))


def render_html(queryset: Any, lang: str) -> str:
    from relasi.core.company import letterhead

    with translation.override(lang if lang in LANGUAGES else settings.LANGUAGE_CODE):
        head, body = header(), list(rows(queryset))
        return render_to_string(
            "privacy/ropa_document.html",
            {
                "lang": translation.get_language(),
                "company": letterhead(translation.get_language()),
                "today": date_format(timezone.localdate(), "DATE_FORMAT"),
                "activities": [list(zip(head, row, strict=True)) for row in body],
            },
        )


def render_pdf(queryset: Any, lang: str) -> bytes:
    from relasi.privacy.breach_letters import html_to_pdf

    return html_to_pdf(render_html(queryset, lang))
