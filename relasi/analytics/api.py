"""Analytics API (/api/v1/analytics): KPI values by period and dimension, report runs, mart
status."""

import datetime as dt
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from relasi.analytics import kpis, mart, reports
from relasi.core.api import check

router = Router(tags=["analytics"])
DIMENSIONS = {"channel": "channel", "store": "store", "owner": "owner", "team": "team"}


def _filters(request: HttpRequest, start: dt.date | None, end: dt.date | None, channel: str, store: int | None,
             team: int | None, segment: str) -> kpis.Filters:  # fmt: skip
    end = end or timezone.localdate() + dt.timedelta(days=1)  # the business day, not the server's
    start = start or end - dt.timedelta(days=365)
    return kpis.Filters(start=start, end=end, channel=channel, store=store, team=team, segment=segment,
                        scope=kpis.scope_for(request.auth), viewer=request.auth.pk)  # type: ignore[attr-defined]  # fmt: skip


def _kpi(key: str, f: kpis.Filters) -> dict[str, Any]:
    k = kpis.KPIS[key]
    r = kpis.compute(key, f)
    return {"key": key, "label": str(k.label), "formula": str(k.formula), "unit": k.unit,
            "value": r["value"], "parts": r["parts"], "start": f.start, "end": f.end}  # fmt: skip


@router.get("/kpis")
def kpi_values(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None, channel: str = "",
               store: int | None = None, team: int | None = None, segment: str = "") -> Any:  # fmt: skip
    check(request, "analytics", "view")
    f = _filters(request, start, end, channel, store, team, segment)
    return [_kpi(key, f) for key in kpis.KPIS]


@router.get("/kpis/{key}/series")
def kpi_series(request: HttpRequest, key: str, grain: str = "month", start: dt.date | None = None,
               end: dt.date | None = None, channel: str = "", store: int | None = None, team: int | None = None,
               segment: str = "") -> Any:  # fmt: skip
    check(request, "analytics", "view")
    if key not in kpis.KPIS or grain not in ("month", "week"):
        raise HttpError(404, "Not found.")
    f = _filters(request, start, end, channel, store, team, segment)
    return [{"start": lo, "value": v} for lo, v in kpis.series(key, f, grain)]


@router.get("/kpis/{key}/by/{dimension}")
def kpi_by(request: HttpRequest, key: str, dimension: str, start: dt.date | None = None,
           end: dt.date | None = None) -> Any:  # fmt: skip
    check(request, "analytics", "view")
    if key not in kpis.KPIS or dimension not in DIMENSIONS:
        raise HttpError(404, "Not found.")
    f = _filters(request, start, end, "", None, None, "")
    column = {"channel": "channel", "store": "store_key", "owner": "owner_key", "team": "team_key"}[
        dimension
    ]
    w, p = kpis.where(f)
    try:
        values = [
            r[0]
            for r in mart.query(
                f"SELECT DISTINCT {column} FROM fact_order o WHERE {w} AND {column} IS NOT NULL LIMIT 50",  # noqa: S608
                p,
            )
        ]
    except mart.MartMissing:
        values = []
    out = []
    for v in values:
        sub = replace(f, **{dimension: v})
        out.append({"value_of": v, "value": kpis.value(key, sub)})
    return out


class ReportIn(Schema):
    fact: str
    dims: list[str] = []
    measures: list[str]
    start: dt.date | None = None
    end: dt.date | None = None
    filters: dict[str, str] = {}


@router.post("/reports/run")
def run_report(request: HttpRequest, body: ReportIn) -> Any:
    check(request, "analytics", "view")
    try:
        spec = reports.Spec.parse(body.dict())
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc
    result = reports.run(spec, kpis.scope_for(request.auth))  # type: ignore[attr-defined]
    return {"headers": result.headers, "rows": result.rows}


@router.get("/mart")
def mart_status(request: HttpRequest) -> Any:
    user = check(request, "admin", "view")
    if not user.has_module_perm("admin", "change"):
        raise HttpError(403, "You do not have permission for this.")
    from relasi.analytics.models import MartRefresh

    return {"generation": mart.generation(), "tables": mart.table_counts(), "meta": mart.meta(),
            "refreshes": list(MartRefresh.objects.values("started_at", "status", "seconds", "rows", "error")[:10])}  # fmt: skip


from relasi.analytics.api_insights import router as insights_router  # noqa: E402  (issue 8)

router.add_router("", insights_router)
