"""Report output (CSV, XLSX, PDF) and scheduled e-mail delivery.

`send_due()` (cron: `manage.py send_scheduled_reports`, or the task) e-mails every report
whose `next_send_at` has passed, run with its owner's visibility, and moves `next_send_at` on."""

import datetime as dt
import io
import logging
from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.analytics import kpis, reports
from relasi.analytics.choices import Frequency, ReportFormat
from relasi.analytics.models import Report
from relasi.core import csvutil

log = logging.getLogger("relasi.analytics")


def csv_bytes(result: reports.Result) -> bytes:
    return "".join(csvutil.stream_rows(result.headers, result.rows)).encode("utf-8")


def xlsx_bytes(result: reports.Result) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Report")
    ws.append([csvutil.escape_cell(h) for h in result.headers])
    for row in result.rows:
        ws.append([v if isinstance(v, int | float) else csvutil.escape_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf_bytes(report_name: str, result: reports.Result) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "analytics/report_pdf.html",
        {"name": report_name, "result": result, "generated": timezone.localtime()},
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def next_after(report: Report, now: dt.datetime) -> dt.datetime | None:
    if not report.frequency:
        return None
    base = timezone.localtime(now).replace(hour=7, minute=0, second=0, microsecond=0)
    if report.frequency == Frequency.DAILY:
        nxt = base + dt.timedelta(days=1)
    elif report.frequency == Frequency.WEEKLY:
        nxt = base + dt.timedelta(days=7 - base.weekday())  # next Monday 07:00
    else:
        nxt = (base.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # the 1st, 07:00
    return nxt


def run_report(report: Report) -> reports.Result:
    spec = reports.Spec.parse(report.spec)
    return reports.run(spec, kpis.scope_for(report.owner))


def send(report: Report) -> int:
    result = run_report(report)
    stamp = timezone.localdate().isoformat()
    if report.send_format == ReportFormat.PDF:
        body, mime, ext = pdf_bytes(report.name, result), "application/pdf", "pdf"
    else:
        body, mime, ext = csv_bytes(result), "text/csv", "csv"
    message = EmailMessage(
        subject=_("Relasi report: %(name)s") % {"name": report.name},
        body=_("The scheduled report “%(name)s” (%(rows)s rows) is attached.")
        % {"name": report.name, "rows": len(result.rows)},
        to=report.recipient_list(),
    )
    message.attach(f"report-{report.pk}-{stamp}.{ext}", body, mime)
    return message.send()


def send_due(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    for report in (
        Report.objects.filter(next_send_at__lte=now).exclude(frequency="").select_related("owner")
    ):
        try:
            if report.recipient_list() and report.owner.is_active:
                send(report)
                sent += 1
        except Exception:  # one broken report must not stop the others
            log.exception("scheduled report %s failed", report.pk)
        Report.objects.filter(pk=report.pk).update(
            last_sent_at=now, next_send_at=next_after(report, now)
        )
    return sent


def visible_reports(user: Any) -> Any:
    from django.db.models import Q

    q = Q(owner=user)
    if getattr(user, "role_id", None):
        q |= Q(shared_with=user.role_id)
    return Report.objects.filter(q).distinct().select_related("owner")
