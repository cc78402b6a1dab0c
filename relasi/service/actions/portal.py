"""Customer-portal sign-in by e-mailed magic link (single use, expiring, hashed)."""

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from relasi.core import audit
from relasi.customers.models import Customer
from relasi.service import notify
from relasi.service.actions.feedback import hash_token
from relasi.service.models import PortalLoginToken

LINK_MINUTES = 15
MAX_CUSTOMERS_PER_ADDRESS = 5


def normalise(email: str) -> str:
    return (email or "").strip().lower()[:254]


def send_links(email: str, ip: str | None = None) -> int:
    """E-mail one sign-in link per customer with this address; nothing (and no hint) when
    none has it. Runs in the background so the response time says nothing either."""
    email = normalise(email)
    customers = list(
        Customer.objects.filter(emails__email=email)
        .distinct()
        .order_by("pk")[:MAX_CUSTOMERS_PER_ADDRESS]
    )
    if not customers:
        return 0
    now = timezone.now()
    links = []
    for customer in customers:
        raw = secrets.token_urlsafe(32)
        PortalLoginToken.objects.create(
            customer=customer,
            email=email,
            token_hash=hash_token(raw),
            expires_at=now + dt.timedelta(minutes=LINK_MINUTES),
            ip=ip,
        )
        links.append((customer, raw))
    language = "en" if (customers[0].preferred_language or "").startswith("en") else "id"
    notify.portal_links(email, links, language, LINK_MINUTES)
    return len(links)


def peek(raw: str) -> PortalLoginToken | None:
    """The token if it is still usable (for the confirmation page; does not use it)."""
    if not raw or len(raw) > 200:
        return None
    return (
        PortalLoginToken.objects.select_related("customer")
        .filter(token_hash=hash_token(raw), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def redeem(raw: str, request: Any = None) -> Customer | None:
    """Use the link: the customer it signs in, or None if unknown, used or expired."""
    token = peek(raw)
    if token is None:
        return None
    with transaction.atomic():
        used = PortalLoginToken.objects.filter(
            pk=token.pk, used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
    if used != 1:
        return None
    audit.security_event("portal.login", request, customer=token.customer_id)
    return token.customer
