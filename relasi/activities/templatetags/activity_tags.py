"""The notification bell in the top bar: one query per page (the newest unread, up to 10)."""

from typing import Any

from django import template

from relasi.activities.models import Notification

register = template.Library()
SHOWN = 9


def bell_state(user: Any) -> dict[str, Any]:
    if not getattr(user, "is_authenticated", False):
        return {"items": [], "count": 0, "more": False, "newest": None}
    rows = list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .order_by("-id")
        .only("id", "text", "url", "created_at")[: SHOWN + 1]
    )
    return {
        "items": rows[:SHOWN],
        "count": len(rows[:SHOWN]),
        "more": len(rows) > SHOWN,
        "newest": rows[0].pk if rows else None,
    }


@register.inclusion_tag("activities/_bell.html", takes_context=True)
def notification_bell(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"bell": bell_state(user), "request": request, "csrf_token": context.get("csrf_token")}


@register.filter
def hm(minutes: Any) -> str:
    """Minutes as h:mm (time on site)."""
    try:
        m = int(minutes or 0)
    except (TypeError, ValueError):
        return "—"
    return f"{m // 60}:{m % 60:02d}"
