"""The written notices of a breach (UU PDP art. 46(1)–(2)), to the authority and to the affected
people, in Bahasa Indonesia or English, on the company letterhead (core/company.py) — as HTML
to read or copy into an e-mail and as a PDF rendered with WeasyPrint, like the quote PDF.

Art. 46(2) says what a notice contains at least: (a) the personal data disclosed, (b) when and
how it was disclosed, (c) the handling and recovery efforts. The letters add the likely
consequences, what the person can do, and whom to contact. The context holds plain values only."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from relasi.privacy.choices import SPECIFIC, NoticeAudience
from relasi.privacy.models import BreachIncident

LANGUAGES = ("id", "en")
TEMPLATE = "privacy/breach_letter.html"


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def context_for(incident: BreachIncident, audience: str) -> dict[str, Any]:
    """Call under the letter's language (`translation.override`)."""
    from relasi.core.company import letterhead

    lang = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "lang": lang,
        "audience": audience,
        "to_authority": audience == NoticeAudience.AUTHORITY,
        "authority": settings.PRIVACY_AUTHORITY_NAME,
        "company": letterhead(lang),
        "today": date_format(timezone.localdate(), "DATE_FORMAT"),
        "incident": {
            "reference": f"BR-{incident.discovered_at:%Y}-{incident.pk:04d}",
            "title": incident.title,
            "description": incident.description,
            "discovered_at": _when(incident.discovered_at),
            "occurred_at": _when(incident.occurred_at),
            "occurred_approximate": incident.occurred_approximate,
            "risk": incident.get_risk_display(),
            "status": incident.get_status_display(),
            "categories": incident.category_labels(),
            "specific": any(c in SPECIFIC for c in incident.data_categories),
            "measures": incident.measures,
            "consequences": incident.consequences,
            "advice": incident.advice,
            "affected_count": incident.affected_count,
            "deadline": _when(incident.deadline),
            "late": incident.clock().overdue,
        },
    }


def render_html(incident: BreachIncident, audience: str, lang: str) -> str:
    if audience not in NoticeAudience.values:
        raise ValueError(audience)
    with translation.override(lang if lang in LANGUAGES else settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, context_for(incident, audience))


def _fetcher() -> Any:
    """Loads inline data: URIs (the letterhead's logo) and refuses every other URL (no SSRF, no
    local files); a refused resource is left out, never fatal."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf()


def render_pdf(incident: BreachIncident, audience: str, lang: str) -> bytes:
    return html_to_pdf(render_html(incident, audience, lang))


def filename(incident: BreachIncident, audience: str, lang: str, ext: str) -> str:
    return f"breach-{incident.pk}-{audience}-{lang}.{ext}"
