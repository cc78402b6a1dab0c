"""The suppression list: addresses never contacted on a channel, whoever owns them."""

from typing import Any

from django.db.models import QuerySet

from relasi.privacy.choices import Channel
from relasi.privacy.models import Suppression


def normalise(channel: str, address: str) -> str:
    address = (address or "").strip()
    if channel == Channel.EMAIL:
        return address.lower()
    if channel in (Channel.WHATSAPP, Channel.SMS, Channel.PHONE):
        from relasi.customers import phones

        return phones.to_e164(address) or address
    return address


def is_suppressed(channel: str, address: str) -> bool:
    return Suppression.objects.filter(channel=channel, address=normalise(channel, address)).exists()


def any_for(channel: str) -> bool:
    return Suppression.objects.filter(channel=channel).exists()


def addresses(channel: str) -> QuerySet:
    return Suppression.objects.filter(channel=channel).values("address")


def suppress(
    channel: str, address: str, reason: str, *, note: str = "", actor: Any = None
) -> Suppression:
    """Add an address (idempotent: the first reason is kept)."""
    from relasi.core import audit
    from relasi.core.choices import AuditAction

    user = actor if getattr(actor, "is_authenticated", False) else None
    row, created = Suppression.objects.get_or_create(
        channel=channel,
        address=normalise(channel, address)[:254],
        defaults={"reason": reason, "note": note[:300], "created_by": user},
    )
    if created:
        audit.record(actor, AuditAction.CREATE, row)
    return row


def release(row: Suppression, actor: Any = None) -> None:
    from relasi.core import audit
    from relasi.core.choices import AuditAction

    audit.record(actor, AuditAction.DELETE, row)
    row.delete()
