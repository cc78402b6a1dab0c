"""The shell's own home-page panels: approvals (waiting for me / my requests) and, for
administrators, the system view (users, background jobs, security events)."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core import approvals, dashboard
from relasi.core.choices import AuditAction, JobStatus
from relasi.core.models import AuditEvent, Job

SHOWN = 5


@dashboard.panel
def approvals_panel(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    deciding = audiences & {dashboard.MANAGER, dashboard.ADMIN}
    if not deciding and dashboard.SALES not in audiences:
        return None
    tab = "pending" if deciding else "requested"
    rows = approvals.items(user, tab, SHOWN)
    if not rows and not deciding:
        return None  # a rep who never asked for an approval does not need the panel
    count = approvals.pending_count(user) if deciding else None
    return dashboard.Panel(
        _("Approvals waiting for me") if deciding else _("My approval requests"),
        "core/home/_approvals.html",
        {"items": rows, "count": count, "tab": tab},
        order=15,
        url=f"{reverse('core:approvals')}?tab={tab}",
        key="approvals",
    )


@dashboard.panel
def system(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    if dashboard.ADMIN not in audiences:
        return None
    now = timezone.now()
    week = now - dt.timedelta(days=7)
    users = get_user_model().objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
        recent=Count("pk", filter=Q(is_active=True, last_login__gte=week)),
        no_2fa=Count("pk", filter=Q(is_active=True, role__require_2fa=True, totp_enabled=False)),
    )
    jobs = dict(
        Job.objects.filter(created_at__gte=week)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    failed = list(Job.objects.filter(status=JobStatus.FAILED).order_by("-created_at")[:SHOWN])
    security = list(
        AuditEvent.objects.filter(
            action=AuditAction.SECURITY, at__gte=now - dt.timedelta(days=1)
        ).order_by("-pk")[:SHOWN]
    )
    return dashboard.Panel(
        _("System"),
        "core/home/_system.html",
        {
            "users": users,
            "jobs": [(label, jobs.get(value, 0), value) for value, label in JobStatus.choices],
            "failed": failed,
            "security": security,
            "pending": approvals.pending_count(user),
            "database": connection.vendor,
            "users_url": reverse("accounts:user_list"),
            "audit_url": reverse("core:audit_list"),
            "approvals_url": reverse("core:approvals"),
        },
        order=10,
        wide=True,
        url=reverse("core:audit_list"),
        key="system",
    )
