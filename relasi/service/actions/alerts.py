"""In-app alerts for agents and managers (shown on the home page and the alerts list)."""

from typing import Any

from django.utils import timezone

from relasi.service.models import Alert


def alert(user: Any, ticket: Any, message: str) -> Alert | None:
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        return None
    return Alert.objects.create(user=user, ticket=ticket, message=str(message)[:300])


def mark_read(user: Any, ids: list[int] | None = None) -> int:
    qs = Alert.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
