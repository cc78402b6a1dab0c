"""The suppression list: addresses never contacted on a channel, whoever owns them.

An erased person's entries keep only `erased_key(address)`, a hash: the list no longer shows
the address, yet the same address typed in again (a re-import, a web form) is still refused by
`may_contact` and `decisions`."""

import hashlib
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


def erased_key(normalised: str) -> str:
    """What an erased person's entry keeps instead of the (normalised) address."""
    return "erased:" + hashlib.sha256(normalised.encode()).hexdigest()[:40]


def keys(channel: str, address: str) -> tuple[str, str]:
    """The two forms an address can be on the list in: as typed (normalised) and erased."""
    plain = normalise(channel, address)
    return plain, erased_key(plain)


def is_suppressed(channel: str, address: str) -> bool:
    return Suppression.objects.filter(channel=channel, address__in=keys(channel, address)).exists()


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
