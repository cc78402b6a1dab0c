"""The report builder: a whitelisted OLAP query over the mart.

A spec names a fact, up to two dimensions, measures and filters; every name must be a key of
the dictionaries below (identifiers come from code, never from the request), and every value
is a bound parameter. Drilling replaces a dimension by its child (year → month → day,
category → product, province → city, channel → store) and adds the clicked value as a filter.
Non-administrators only ever see facts whose owner they may see (`kpis.scope_sql`)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from relasi.analytics import kpis, mart


@dataclass(frozen=True)
class Dim:
    label: Any
    expr: str
    joins: tuple[str, ...] = ()
    child: str = ""


@dataclass(frozen=True)
class Fact:
    label: Any
    table: str
    date: str
    measures: dict[str, tuple[Any, str]]
    dims: dict[str, Dim]
    sale_only: bool = True


JOIN = {
    "store": "LEFT JOIN dim_store s ON s.store_key = f.store_key",
    "product": "LEFT JOIN dim_product p ON p.product_key = f.product_key",
    "customer": "LEFT JOIN dim_customer c ON c.customer_key = f.customer_key",
    "owner": "LEFT JOIN dim_owner ow ON ow.owner_key = f.owner_key",
    "date": "LEFT JOIN dim_date d ON d.date = f.{date}",
}


def _time_dims(col: str) -> dict[str, Dim]:
    return {
        "year": Dim(_("Year"), f"CAST(year(f.{col}) AS VARCHAR)", child="month"),
        "quarter": Dim(
            _("Quarter"), f"strftime(f.{col}, '%Y') || '-Q' || quarter(f.{col})", child="month"
        ),
        "month": Dim(_("Month"), f"strftime(f.{col}, '%Y-%m')", child="day"),
        "day": Dim(_("Day"), f"strftime(f.{col}, '%Y-%m-%d')"),
        "weekday": Dim(_("Day of week (1 = Monday)"), f"CAST(isodow(f.{col}) AS VARCHAR)"),
        "ramadan": Dim(
            _("Ramadan"), "CASE WHEN d.is_ramadan THEN 'Ramadan' ELSE '-' END", ("date",)
        ),
    }


def _sales_dims(col: str) -> dict[str, Dim]:
    return {
        **_time_dims(col),
        "channel": Dim(_("Channel"), "f.channel", child="store"),
        "store": Dim(_("Store"), "COALESCE(s.name, '-')", ("store",)),
        "store_city": Dim(_("Store city"), "COALESCE(s.city, '-')", ("store",), child="store"),
        "customer_type": Dim(
            _("Customer type"), "COALESCE(c.customer_type, 'walk-in')", ("customer",)
        ),
        "customer_kind": Dim(_("Customer kind"), "COALESCE(c.kind, 'walk-in')", ("customer",)),
        "province": Dim(
            _("Customer province"),
            "COALESCE(NULLIF(c.province, ''), '-')",
            ("customer",),
            child="city",
        ),
        "city": Dim(_("Customer city"), "COALESCE(NULLIF(c.city, ''), '-')", ("customer",)),
        "owner": Dim(_("Sales rep"), "COALESCE(ow.name, '-')", ("owner",)),
        "team": Dim(_("Team"), "COALESCE(ow.team, '-')", ("owner",), child="owner"),
        "status": Dim(_("Status"), "f.status"),
    }


FACTS: dict[str, Fact] = {
    "order_lines": Fact(
        _("Order lines (products sold)"),
        "fact_order_line",
        "order_date",
        {
            "revenue": (_("Revenue"), "sum(f.net_amount)"),
            "quantity": (_("Quantity"), "sum(f.quantity)"),
            "orders": (_("Orders"), "count(DISTINCT f.order_id)"),
            "customers": (_("Customers"), "count(DISTINCT f.customer_key)"),
            "margin": (_("Margin"), "sum(f.margin)"),
            "discount": (_("Discount"), "sum(f.discount)"),
            "lines": (_("Lines"), "count(*)"),
        },
        {
            **_sales_dims("order_date"),
            "category": Dim(
                _("Category"), "COALESCE(p.parent_category, '-')", ("product",), child="subcategory"
            ),
            "subcategory": Dim(
                _("Subcategory"), "COALESCE(p.category, '-')", ("product",), child="product"
            ),
            "product": Dim(_("Product"), "COALESCE(p.name, '-')", ("product",)),
        },
    ),
    "orders": Fact(
        _("Orders"),
        "fact_order",
        "order_date",
        {
            "revenue": (_("Revenue"), "sum(f.net_amount)"),
            "orders": (_("Orders"), "count(*)"),
            "aov": (_("Average order value"), "avg(f.net_amount)"),
            "customers": (_("Customers"), "count(DISTINCT f.customer_key)"),
            "margin": (_("Margin"), "sum(f.margin)"),
            "paid": (_("Paid"), "sum(f.paid_amount)"),
            "returned": (_("Returned"), "sum(f.returned_amount)"),
        },
        _sales_dims("order_date"),
    ),
    "tickets": Fact(
        _("Service tickets"),
        "fact_ticket",
        "opened_date",
        {
            "tickets": (_("Tickets"), "count(*)"),
            "response": (_("Avg first response (min)"), "avg(f.first_response_minutes)"),
            "resolution": (_("Avg resolution (min)"), "avg(f.resolution_minutes)"),
            "fcr": (_("FCR %"), "100.0 * avg(CASE WHEN f.fcr THEN 1 ELSE 0 END)"),
        },
        {
            **_time_dims("opened_date"),
            "channel": Dim(_("Channel"), "COALESCE(f.channel, '-')"),
            "priority": Dim(_("Priority"), "COALESCE(f.priority, '-')"),
            "status": Dim(_("Status"), "COALESCE(f.status, '-')"),
            "owner": Dim(_("Agent"), "COALESCE(ow.name, '-')", ("owner",)),
            "team": Dim(_("Team"), "COALESCE(ow.team, '-')", ("owner",), child="owner"),
        },
        sale_only=False,
    ),
    "activities": Fact(
        _("Activities"),
        "fact_activity",
        "activity_date",
        {
            "activities": (_("Activities"), "count(*)"),
            "done": (_("Done"), "count(f.done_at)"),
            "minutes": (_("Minutes"), "sum(f.duration_minutes)"),
        },
        {
            **_time_dims("activity_date"),
            "kind": Dim(_("Type"), "COALESCE(f.kind, '-')"),
            "status": Dim(_("Status"), "COALESCE(f.status, '-')"),
            "owner": Dim(_("Owner"), "COALESCE(ow.name, '-')", ("owner",)),
            "team": Dim(_("Team"), "COALESCE(ow.team, '-')", ("owner",), child="owner"),
        },
        sale_only=False,
    ),
}
MAX_ROWS = 5000


@dataclass
class Spec:
    fact: str
    dims: list[str]
    measures: list[str]
    start: dt.date | None = None
    end: dt.date | None = None  # exclusive
    filters: dict[str, str] = field(default_factory=dict)  # dimension -> value
    chart: str = "table"  # table, bar, line, pie

    @classmethod
    def parse(cls, data: dict[str, Any]) -> "Spec":
        """Validate a spec from user input: unknown names are refused, never used."""
        errors: dict[str, list[str]] = {}
        fact = FACTS.get(str(data.get("fact", "")))
        if fact is None:
            raise ValidationError({"fact": [str(_("Choose a fact."))]})
        dims = [d for d in _list(data.get("dims")) if d]
        measures = [m for m in _list(data.get("measures")) if m]
        bad = [d for d in dims if d not in fact.dims] + [
            m for m in measures if m not in fact.measures
        ]
        filters = {str(k): str(v)[:200] for k, v in dict(data.get("filters") or {}).items()}
        bad += [k for k in filters if k not in fact.dims]
        if bad:
            errors["fields"] = [
                str(_("Unknown field: %(names)s")) % {"names": ", ".join(b[:40] for b in bad)}
            ]
        if len(dims) > 2:
            errors["dims"] = [str(_("Choose at most two dimensions."))]
        if not measures:
            errors["measures"] = [str(_("Choose at least one measure."))]
        chart = str(data.get("chart") or "table")
        if chart not in ("table", "bar", "line", "pie"):
            errors["chart"] = [str(_("Unknown chart type."))]
        start, end = _date(data.get("start")), _date(data.get("end"))
        if errors:
            raise ValidationError(errors)
        return cls(str(data["fact"]), dims, measures, start, end, filters, chart)

    def as_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "dims": self.dims, "measures": self.measures,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "filters": self.filters, "chart": self.chart}  # fmt: skip

    def drill(self, dim: str, value: str) -> "Spec | None":
        """The spec one level down from clicking `value` of `dim`."""
        fact = FACTS[self.fact]
        child = fact.dims[dim].child if dim in fact.dims else ""
        if not child or dim not in self.dims:
            return None
        dims = [child if d == dim else d for d in self.dims]
        return Spec(self.fact, dims, self.measures, self.start, self.end,
                    {**self.filters, dim: value}, self.chart)  # fmt: skip


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",")]
    return [str(v) for v in value]


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({"period": [str(_("Dates must be YYYY-MM-DD."))]}) from exc


def build_sql(spec: Spec, scope: tuple[Any, ...] | None) -> tuple[str, list[Any]]:
    fact = FACTS[spec.fact]
    joins: list[str] = []
    used = [fact.dims[d] for d in spec.dims] + [fact.dims[d] for d in spec.filters]
    for dim in used:
        for j in dim.joins:
            sql = JOIN[j].format(date=fact.date)
            if sql not in joins:
                joins.append(sql)
    if scope is not None and "LEFT JOIN dim_owner" not in " ".join(joins):
        joins.append(JOIN["owner"])
    where = ["TRUE"]
    params: list[Any] = []
    if fact.sale_only:
        where.append("f.is_sale")
    if spec.start:
        where.append(f"f.{fact.date} >= ?")
        params.append(spec.start)
    if spec.end:
        where.append(f"f.{fact.date} < ?")
        params.append(spec.end)
    for name, value in spec.filters.items():
        where.append(f"{fact.dims[name].expr} = ?")
        params.append(value)
    if scope is not None:
        sql, p = kpis.scope_sql(scope, "f")
        where.append(sql)
        params += p
    select = [f"{fact.dims[d].expr} AS d{i}" for i, d in enumerate(spec.dims)]
    select += [f"{fact.measures[m][1]} AS m{i}" for i, m in enumerate(spec.measures)]
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(spec.dims)))}" if spec.dims else ""
    order = f" ORDER BY {', '.join(str(i + 1) for i in range(len(spec.dims)))}" if spec.dims else ""
    sql = (
        f"SELECT {', '.join(select)} FROM {fact.table} f {' '.join(joins)} "  # noqa: S608 - whitelisted
        f"WHERE {' AND '.join(where)}{group}{order} LIMIT {MAX_ROWS}"
    )
    return sql, params


@dataclass
class Result:
    spec: Spec
    headers: list[str]
    rows: list[list[Any]]
    pivot: dict[str, Any] | None = None


def run(spec: Spec, scope: tuple[Any, ...] | None) -> Result:
    sql, params = build_sql(spec, scope)
    fact = FACTS[spec.fact]
    try:
        rows = [list(r) for r in mart.query(sql, params)]
    except mart.MartMissing:
        rows = []
    for row in rows:
        for i, v in enumerate(row):
            if isinstance(v, float):
                row[i] = round(v, 2)
    headers = [str(fact.dims[d].label) for d in spec.dims] + [
        str(fact.measures[m][0]) for m in spec.measures
    ]
    result = Result(spec, headers, rows)
    if len(spec.dims) == 2 and rows:
        cols = sorted({str(r[1]) for r in rows})[:50]
        table: dict[str, dict[str, Any]] = {}
        for r in rows:
            table.setdefault(str(r[0]), {})[str(r[1])] = r[2]
        result.pivot = {
            "columns": cols,
            "rows": [[k, [v.get(c) for c in cols]] for k, v in table.items()],
        }
    return result


def display_labels(spec: Spec) -> dict[str, str]:
    """Coded values (store, web, cancelled …) of the spec's order dimensions -> their labels
    in the active language, for pages and charts; rows, CSV and drill links keep the codes."""
    from relasi.commerce.choices import OrderStatus, SalesChannel

    if spec.fact not in ("order_lines", "orders"):
        return {}
    coded: dict[str, Any] = {"channel": SalesChannel, "status": OrderStatus}
    out: dict[str, str] = {}
    for dim in [*spec.dims, *spec.filters]:
        if dim in coded:
            out.update({value: str(label) for value, label in coded[dim].choices})
    return out


def chart_data(result: Result) -> dict[str, Any]:
    spec = result.spec
    n = len(spec.dims)
    if not n or not result.rows:
        return {}
    fact = FACTS[spec.fact]
    shown = display_labels(spec)
    if n == 1:
        labels = [shown.get(str(r[0]), str(r[0])) for r in result.rows]
        sets = [{"label": str(fact.measures[m][0]), "data": [r[1 + i] for r in result.rows]}
                for i, m in enumerate(spec.measures)]  # fmt: skip
    else:
        labels = sorted({str(r[0]) for r in result.rows})
        series: dict[str, dict[str, Any]] = {}
        for r in result.rows:
            series.setdefault(str(r[1]), {})[str(r[0])] = r[2]
        sets = [
            {"label": shown.get(k, k), "data": [v.get(lab) for lab in labels]}
            for k, v in list(series.items())[:12]
        ]
        labels = [shown.get(lab, lab) for lab in labels]
    return {
        "type": spec.chart if spec.chart != "table" else "bar",
        "labels": labels,
        "datasets": sets,
    }
