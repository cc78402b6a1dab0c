"""Quote documents: gapless numbers, totals, the sandboxed template, PDF (WeasyPrint).

The template an administrator edits is rendered by a separate Django template engine with a
whitelist of tags and filters (no `load`, `include`, `extends`, `url`, `safe` …) and a context
of plain dictionaries and strings (no model instances, so nothing can reach the ORM). WeasyPrint
gets a URL fetcher that refuses every fetch except inline `data:` URIs, so a template cannot
make the server request internal addresses (SSRF) or read local files.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relasi.core.formatting import money, number
from relasi.sales.choices import QuoteStatus
from relasi.sales.models import Quote, QuoteSequence, QuoteTemplate

ALLOWED_TAGS = {
    "if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith",
    "comment", "endcomment", "spaceless", "endspaceless", "cycle", "firstof", "now",
}  # fmt: skip
ALLOWED_FILTERS = {
    "date", "default", "default_if_none", "upper", "lower", "title", "capfirst",
    "linebreaks", "linebreaksbr", "length", "truncatechars", "truncatewords", "floatformat",
    "yesno", "join", "first", "last", "add", "divisibleby", "pluralize", "escape", "striptags",
    "time", "wordwrap", "center", "ljust", "rjust", "cut",
}  # fmt: skip

_engine = Engine(debug=False, autoescape=True, libraries={}, builtins=[])


def validate_template(source: str) -> None:
    """Refuse tags and filters outside the whitelist (raises ValidationError)."""
    problems = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents.split() else ""
            if tag not in ALLOWED_TAGS:
                problems.append(_("The tag “%(tag)s” is not allowed.") % {"tag": tag})
        elif token.token_type == TokenType.VAR:
            for part in token.contents.split("|")[1:]:
                name = part.split(":", 1)[0].strip()
                if name not in ALLOWED_FILTERS:
                    problems.append(_("The filter “%(f)s” is not allowed.") % {"f": name})
            if "__" in token.contents or token.contents.strip().startswith("_"):
                problems.append(_("Names starting with an underscore are not allowed."))
    if problems:
        raise ValidationError(sorted(set(problems)))
    try:
        _engine.from_string(source)
    except TemplateSyntaxError as exc:
        raise ValidationError(str(exc)) from exc


def next_number(year: int) -> str:
    """The next quote number of `year` (Q-2026-00042). Must run inside the transaction that
    saves the quote: the locked counter row makes numbers gapless and unique."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the quote's transaction")
    QuoteSequence.objects.get_or_create(year=year)
    seq = QuoteSequence.objects.select_for_update().get(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"Q-{year}-{seq.last:05d}"


def _fmt_date(day: dt.date | None) -> str:
    if day is None:
        return ""
    from django.utils.formats import date_format

    return date_format(day, "DATE_FORMAT")


def document_language(quote: Quote) -> str:
    """A quote is written in its customer's language (else the active one)."""
    lang = getattr(quote.customer, "preferred_language", "") if quote.customer_id else ""
    codes = {code for code, _name in settings.LANGUAGES}
    return lang if lang in codes else (translation.get_language() or settings.LANGUAGE_CODE)


def is_draft(quote: Quote) -> bool:
    """The quote is not an offer yet: its discount waits for (or was refused) approval."""
    from relasi.sales.actions.quotes import needs_approval

    if quote.status in (QuoteStatus.PENDING_APPROVAL, QuoteStatus.REJECTED):
        return True
    return quote.status == QuoteStatus.DRAFT and needs_approval(quote) and quote.approved_at is None


def context_for(quote: Quote) -> dict[str, Any]:
    """The restricted context: plain values only."""
    from relasi.core.company import letterhead

    cur = quote.currency
    customer = quote.customer
    org = quote.deal.organization if quote.deal_id else None
    lines = []
    taxes: dict[str, Decimal] = {}
    for i, line in enumerate(quote.lines.all(), start=1):
        lines.append(
            {
                "no": i,
                "description": line.description,
                "sku": line.product.sku if line.product_id and line.product else "",
                "quantity": number(
                    line.quantity, 0 if line.quantity == line.quantity.to_integral() else 2
                ),
                "unit": line.unit,
                "unit_price": money(line.unit_price, cur),
                "discount_percent": number(
                    line.discount_percent,
                    0 if line.discount_percent == line.discount_percent.to_integral() else 2,
                ),
                "has_discount": line.discount_percent > 0,
                "tax_rate": number(
                    line.tax_rate, 0 if line.tax_rate == line.tax_rate.to_integral() else 2
                ),
                "subtotal": money(line.line_subtotal, cur),
                "discount": money(line.line_discount, cur),
                "tax": money(line.line_tax, cur),
                "total": money(line.line_total, cur),
            }
        )
        key = number(line.tax_rate, 0 if line.tax_rate == line.tax_rate.to_integral() else 2)
        taxes[key] = taxes.get(key, Decimal(0)) + line.line_tax
    return {
        "company": letterhead(translation.get_language()),
        "quote": {
            "is_draft": is_draft(quote),
            "number": quote.number,
            "revision": quote.revision,
            "title": quote.title,
            "date": _fmt_date(quote.issue_date),
            "valid_until": _fmt_date(quote.valid_until),
            "currency": cur,
            "notes": quote.notes,
            "terms": quote.terms or letterhead(translation.get_language())["terms"],
            "subtotal": money(quote.subtotal, cur),
            "discount": money(quote.discount_total, cur),
            "has_discount": quote.discount_total > 0,
            "tax": money(quote.tax_total, cur),
            "total": money(quote.total, cur),
            "taxes": [{"rate": k, "amount": money(v, cur)} for k, v in sorted(taxes.items())],
        },
        "customer": {
            "name": customer.name if customer else "",
            "email": customer.primary_email if customer else "",
            "phone": customer.primary_phone if customer else "",
            "city": customer.city if customer else "",
            "province": customer.province if customer else "",
        },
        "organization": {"name": org.name if org else "", "tax_id": org.tax_id if org else ""},
        "owner": {
            "name": str(quote.owner) if quote.owner_id else "",
            "email": quote.owner.email if quote.owner_id and quote.owner else "",
        },
        "lines": lines,
        "labels": {
            "quote": _("Quotation"),
            "date": _("Date"),
            "valid_until": _("Valid until"),
            "to": _("To"),
            "description": _("Description"),
            "quantity": _("Qty"),
            "unit_price": _("Unit price"),
            "discount": _("Discount"),
            "tax": _("Tax"),
            "amount": _("Amount"),
            "subtotal": _("Subtotal"),
            "total": _("Total"),
            "notes": _("Notes"),
            "terms": _("Terms and conditions"),
            "revision": _("Revision"),
            "prepared_by": _("Prepared by"),
            "tax_id": _("NPWP"),
            "bank": _("Payment to"),
            "bank_account": _("Account"),
            "account_holder": _("Account holder"),
            "draft": _("DRAFT"),
            "draft_note": _(
                "Draft: the discount on this quote awaits approval. It is not an offer yet."
            ),
        },
    }


def default_template() -> QuoteTemplate | None:
    return QuoteTemplate.objects.filter(active=True).order_by("-is_default", "name").first()


def render_html(quote: Quote, template: QuoteTemplate | None = None) -> str:
    """The quote as an HTML document in its customer's language. A draft (a discount
    awaiting approval) carries a DRAFT mark on every page whatever the template says."""
    from django.utils.html import escape

    tpl = template or quote.template or default_template()
    body = tpl.body if tpl else DEFAULT_BODY
    css = tpl.css if tpl and tpl.css else DEFAULT_CSS
    validate_template(body)
    lang = document_language(quote)
    with translation.override(lang):
        context = context_for(quote)
        html = _engine.from_string(body).render(Context(context, autoescape=True))
    mark, mark_css = "", ""
    if context["quote"]["is_draft"]:
        labels = context["labels"]
        mark = (
            f'<div class="relasi-draft-mark" aria-hidden="true">{escape(labels["draft"])}</div>'
            f'<p class="relasi-draft-note">{escape(labels["draft_note"])}</p>'
        )
        mark_css = DRAFT_CSS
    style = css.replace("</", "<\\/") + mark_css
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(quote.number)}</title><style>{style}</style></head>"
        f"<body>{mark}{html}</body></html>"
    )


def _fetcher() -> Any:
    """A WeasyPrint fetcher that loads inline data: URIs (the letterhead's logo) and refuses
    every other URL (no SSRF, no local files); a refused resource is left out, never fatal."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def render_pdf(quote: Quote) -> bytes:
    import weasyprint

    html = render_html(quote)
    return weasyprint.HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf()


def filename(quote: Quote) -> str:
    suffix = f"-rev{quote.revision}" if quote.revision > 1 else ""
    return f"{quote.number}{suffix}.pdf"


def default_validity() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)


DEFAULT_CSS = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #222; }
h1 { font-size: 18pt; margin: 0 0 4mm; color: #1f4e79; }
.head { display: flex; justify-content: space-between; margin-bottom: 8mm; }
.meta td { padding: 0 3mm 1mm 0; }
table.lines { width: 100%; border-collapse: collapse; margin-top: 4mm; }
table.lines th { background: #1f4e79; color: #fff; text-align: left; padding: 2mm; font-weight: normal; }
table.lines td { border-bottom: 0.3pt solid #ccc; padding: 2mm; vertical-align: top; }
.num { text-align: right; white-space: nowrap; }
table.totals { margin-left: auto; margin-top: 4mm; }
table.totals td { padding: 1mm 2mm; }
table.totals tr.grand td { font-weight: bold; font-size: 11pt; border-top: 0.6pt solid #222; }
.small { color: #666; font-size: 8pt; }
.letterhead { max-width: 95mm; }
.letterhead .logo { display: block; max-height: 18mm; max-width: 60mm; margin-bottom: 2mm; }
.letterhead .company { font-size: 12pt; }
"""

DRAFT_CSS = """
.relasi-draft-mark { position: fixed; top: 95mm; left: 0; right: 0; text-align: center; font-size: 96pt; font-weight: bold; color: rgba(200, 30, 30, 0.16); transform: rotate(-30deg); z-index: -1; }
.relasi-draft-note { border: 0.6pt solid #c81e1e; color: #c81e1e; padding: 2mm 3mm; margin: 0 0 5mm; font-weight: bold; }
"""

DEFAULT_BODY = """<div class="head">
  <div class="letterhead">{% if company.logo %}<img class="logo" src="{{ company.logo }}" alt="">{% endif %}
    <strong class="company">{{ company.name }}</strong>
    {% if company.address %}<br><span class="small">{{ company.address|linebreaksbr }}</span>{% endif %}
    {% if company.phone or company.email %}<br><span class="small">{{ company.phone }}{% if company.phone and company.email %} · {% endif %}{{ company.email }}</span>{% endif %}
    {% if company.website %}<br><span class="small">{{ company.website }}</span>{% endif %}
    {% if company.tax_id %}<br><span class="small">{{ labels.tax_id }} {{ company.tax_id }}</span>{% endif %}</div>
  <div><h1>{{ labels.quote }}</h1>
  <table class="meta">
    <tr><td>No.</td><td><strong>{{ quote.number }}</strong>{% if quote.revision > 1 %} ({{ labels.revision }} {{ quote.revision }}){% endif %}</td></tr>
    <tr><td>{{ labels.date }}</td><td>{{ quote.date }}</td></tr>
    <tr><td>{{ labels.valid_until }}</td><td>{{ quote.valid_until }}</td></tr>
  </table></div>
</div>
<p><span class="small">{{ labels.to }}</span><br><strong>{% firstof organization.name customer.name %}</strong>
{% if organization.name and customer.name %}<br>{{ customer.name }}{% endif %}
{% if customer.city %}<br>{{ customer.city }}{% if customer.province %}, {{ customer.province }}{% endif %}{% endif %}
{% if customer.email %}<br>{{ customer.email }}{% endif %}
{% if organization.tax_id %}<br><span class="small">{{ labels.tax_id }} {{ organization.tax_id }}</span>{% endif %}</p>
{% if quote.title %}<p><strong>{{ quote.title }}</strong></p>{% endif %}
<table class="lines">
  <thead><tr><th>#</th><th>{{ labels.description }}</th><th class="num">{{ labels.quantity }}</th><th class="num">{{ labels.unit_price }}</th><th class="num">{{ labels.discount }}</th><th class="num">{{ labels.tax }}</th><th class="num">{{ labels.amount }}</th></tr></thead>
  <tbody>{% for line in lines %}
    <tr><td>{{ line.no }}</td><td>{{ line.description }}{% if line.sku %}<br><span class="small">{{ line.sku }}</span>{% endif %}</td>
      <td class="num">{{ line.quantity }} {{ line.unit }}</td><td class="num">{{ line.unit_price }}</td>
      <td class="num">{% if line.has_discount %}{{ line.discount_percent }} %{% endif %}</td>
      <td class="num">{{ line.tax_rate }} %</td><td class="num">{{ line.total }}</td></tr>
  {% endfor %}</tbody>
</table>
<table class="totals">
  <tr><td>{{ labels.subtotal }}</td><td class="num">{{ quote.subtotal }}</td></tr>
  {% if quote.has_discount %}<tr><td>{{ labels.discount }}</td><td class="num">− {{ quote.discount }}</td></tr>{% endif %}
  {% for t in quote.taxes %}<tr><td>PPN {{ t.rate }} %</td><td class="num">{{ t.amount }}</td></tr>{% endfor %}
  <tr class="grand"><td>{{ labels.total }}</td><td class="num">{{ quote.total }}</td></tr>
</table>
{% if quote.notes %}<h3>{{ labels.notes }}</h3><p>{{ quote.notes|linebreaksbr }}</p>{% endif %}
{% if company.has_bank %}<h3>{{ labels.bank }}</h3><p>{{ company.bank.name }}<br>{{ labels.bank_account }} {{ company.bank.account_number }}{% if company.bank.account_name %}<br>{{ labels.account_holder }} {{ company.bank.account_name }}{% endif %}</p>{% endif %}
{% if quote.terms %}<h3>{{ labels.terms }}</h3><p class="small">{{ quote.terms|linebreaksbr }}</p>{% endif %}
<p class="small">{{ labels.prepared_by }}: {{ owner.name }} {% if owner.email %}({{ owner.email }}){% endif %}</p>
"""
