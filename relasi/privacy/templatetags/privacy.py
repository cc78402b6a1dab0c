"""`{% consent_card customer %}`: the consent grid, its recent history and the staff form, on
the 360° page."""

from typing import Any

from django import template

from relasi.core.access import may
from relasi.privacy import consent, gate, links
from relasi.privacy.choices import Channel, ConsentStatus
from relasi.privacy.forms import ConsentForm

register = template.Library()

CHANNEL_ICONS: dict[str, str] = {
    Channel.EMAIL: "envelope",
    Channel.WHATSAPP: "whatsapp",
    Channel.SMS: "chat-text",
    Channel.PHONE: "telephone",
    Channel.POST: "mailbox",
}

ICONS = {
    ConsentStatus.GRANTED: ("check-circle-fill", "text-success"),
    ConsentStatus.WITHDRAWN: ("x-circle-fill", "text-danger"),
    ConsentStatus.PENDING: ("hourglass-split", "text-warning"),
    "": ("dash", "text-muted"),
}


@register.inclusion_tag("privacy/_consent_card.html", takes_context=True)
def consent_card(context: Any, customer: Any) -> dict[str, Any]:
    user = context["request"].user
    decisions = gate.decisions(customer)
    rows: list[tuple[Any, list[dict[str, Any]]]] = []
    for purpose, cells in consent.grid(customer):
        out: list[dict[str, Any]] = []
        for cell in cells:
            icon, css = ICONS.get(cell.status, ICONS[""])
            d = decisions.get((purpose.key, cell.channel))
            out.append(
                {
                    "cell": cell,
                    "icon": icon,
                    "css": css,
                    "now": d,
                    "label": cell.state.get_status_display() if cell.state else "",
                }
            )
        rows.append((purpose, out))
    can_change = may(user, "customers.change")
    return {
        "request": context["request"],
        "object": customer,
        "rows": rows,
        "channels": [(ch, label, CHANNEL_ICONS.get(ch, "circle")) for ch, label in Channel.choices],
        "history": list(consent.history(customer, 8)),
        "form": ConsentForm() if can_change else None,
        "preferences_url": links.preferences_url(customer) if can_change else "",
        "has_pending_email": any(
            c["cell"].channel == Channel.EMAIL and c["cell"].status == ConsentStatus.PENDING
            for _p, cells in rows
            for c in cells
        ),
    }
