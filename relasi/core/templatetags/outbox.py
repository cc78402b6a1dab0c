"""`{% emails_about record as emails %}`: the outbox rows about one record (core/mail.py),
for the e-mail panel of record pages (`core/_email_panel.html`)."""

from typing import Any

from django import template

from relasi.core import mail
from relasi.core.models import OutboundEmail

register = template.Library()


@register.simple_tag
def emails_about(record: Any, limit: int = 10) -> list[OutboundEmail]:
    if record is None or getattr(record, "pk", None) is None:
        return []
    return list(OutboundEmail.objects.defer("message").filter(ref=mail.ref_for(record))[:limit])


@register.filter
def one_line(value: Any) -> str:
    """Header-safe text: for the subject line of an e-mail template (line breaks → spaces)."""
    return mail.clean_header(value)
