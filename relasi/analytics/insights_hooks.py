"""Where the customer models plug into other apps (imported once by models_insights): the
post-refresh hook, the 360° header figures, the "event" timeline kind and the cross-sell panels
on customer and deal pages. Every reader tolerates a mart without the ins_* tables."""

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from relasi.analytics import mart, rfm
from relasi.core.formatting import money
from relasi.customers import panels, timeline, value


def post_refresh(con: Any, changed: dict[str, Any]) -> None:
    # Imported here: NumPy, SciPy and scikit-learn stay out of every web process's start-up.
    from relasi.analytics import insights

    insights.post_refresh(con, changed)


mart.register_post_refresh(post_refresh)


# --- 360° header ----------------------------------------------------------------------------------
def customer_scores(customer: Any) -> dict[str, Any]:
    """The customer's row of each model (cached on the instance for one page)."""
    cached = getattr(customer, "_insight_scores", None)
    if cached is not None:
        return cached
    out: dict[str, Any] = {}
    try:
        with mart.reader() as con:
            for table, cols in (
                ("ins_rfm", "segment, r, f, m, recency_days, frequency, monetary"),
                ("ins_clv", "clv, p_alive, exp_purchases, exp_spend"),
                ("ins_churn", "risk, reasons, " + ", ".join(_churn_features())),
            ):
                try:
                    cur = con.execute(
                        f"SELECT {cols} FROM {table} WHERE customer_key = ?",  # noqa: S608
                        [customer.pk],
                    )
                    row = cur.fetchone()
                except Exception:  # noqa: S112 - table not built in this snapshot
                    continue
                if row:
                    out.update(zip([d[0] for d in cur.description], row, strict=True))
    except Exception:  # no mart yet
        out = {}
    customer._insight_scores = out
    return out


def _churn_features() -> list[str]:
    from relasi.analytics.churn import FEATURES

    return FEATURES


FEATURE_LABELS = {
    "recency_days": gettext_lazy("Days since last purchase"),
    "frequency": gettext_lazy("Orders"),
    "monetary": gettext_lazy("Revenue"),
    "tenure_days": gettext_lazy("Tenure"),
    "orders_90": gettext_lazy("Orders, last 90 days"),
    "orders_365": gettext_lazy("Orders, last year"),
    "tickets_365": gettext_lazy("Tickets, last year"),
    "complaints_365": gettext_lazy("Complaints, last year"),
    "csat_gap": gettext_lazy("Satisfaction gap"),
    "campaign_responses": gettext_lazy("Campaign responses"),
    "loyalty_activity": gettext_lazy("Loyalty activity"),
}

REASONS = {
    "recency_days": lambda f: _("no purchase for %(n)d days") % {"n": f["recency_days"]},
    "frequency": lambda f: ngettext("only %(n)d order in total", "only %(n)d orders in total",
                                    int(f["frequency"])) % {"n": f["frequency"]},
    "monetary": lambda f: _("low total spend (%(v)s)") % {"v": money(f["monetary"])},
    "tenure_days": lambda f: _("customer for %(n)d days") % {"n": f["tenure_days"]},
    "orders_90": lambda f: _("%(n)d orders in the last 90 days") % {"n": f["orders_90"]},
    "orders_365": lambda f: _("%(n)d orders in the last year") % {"n": f["orders_365"]},
    "tickets_365": lambda f: _("%(n)d service tickets in the last year") % {"n": f["tickets_365"]},
    "complaints_365": lambda f: _("%(n)d high-priority tickets (complaints)") % {"n": f["complaints_365"]},
    "csat_gap": lambda f: _("low satisfaction (CSAT %(v).1f)") % {"v": 5 - f["csat_gap"]},
    "campaign_responses": lambda f: _("does not respond to campaigns"),
    "loyalty_activity": lambda f: _("no loyalty activity"),
}  # fmt: skip


def reason_texts(row: dict[str, Any]) -> list[str]:
    out = []
    for key in (row.get("reasons") or "").split("|"):
        if key in REASONS and row.get(key) is not None:
            try:
                out.append(str(REASONS[key](row)))
            except (TypeError, ValueError, KeyError):
                continue
    return out


def risk_band(risk: float) -> tuple[str, str]:
    if risk >= 0.7:
        return str(_("High")), "danger"
    if risk >= 0.4:
        return str(_("Medium")), "warning"
    return str(_("Low")), "success"


NOTE = "fw-normal text-body-secondary lh-sm"


@value.register("rfm_segment")
def rfm_segment(customer: Any) -> Any:
    s = customer_scores(customer)
    if not s.get("segment"):
        return None
    return format_html(
        '{} <div class="{}" style="font-size:.8rem">R{} F{} M{}</div>',
        rfm.LABELS.get(s["segment"], s["segment"]), NOTE, s["r"], s["f"], s["m"],
    )  # fmt: skip


@value.register("clv")
def clv_figure(customer: Any) -> Any:
    s = customer_scores(customer)
    if s.get("clv") is None:
        return None
    return format_html(
        '{} <div class="{}" style="font-size:.8rem">{}</div>', money(round(s["clv"])), NOTE,
        _("%(n)s purchases expected in 12 months") % {"n": f"{s['exp_purchases']:.1f}"},
    )  # fmt: skip


@value.register("p_alive")
def p_alive_figure(customer: Any) -> Any:
    s = customer_scores(customer)
    if s.get("p_alive") is None:
        return None
    # MBG/NBD lets one-time buyers drop out; only a BG/NBD fit (older runs) pins them at 100 %
    if not s.get("frequency") or s["frequency"] > 1 or s["p_alive"] < 0.9995:
        return f"{s['p_alive'] * 100:.0f} %"
    return format_html(
        '{} <div class="{}" style="font-size:.8rem">{}</div>',
        f"{s['p_alive'] * 100:.0f} %",
        NOTE,
        _("one purchase so far: BG/NBD counts a customer as active until a repeat purchase"),
    )


@value.register("churn_risk")
def churn_figure(customer: Any) -> Any:
    s = customer_scores(customer)
    if s.get("risk") is None:
        return None
    band, tone = risk_band(s["risk"])
    reasons = reason_texts(s)
    return format_html(
        '<span class="badge text-bg-{}" id="churn-risk">{} · {} %</span>{}',
        tone, band, round(s["risk"] * 100),
        format_html('<div class="{} mt-1" style="font-size:.8rem" id="churn-reasons">{}</div>', NOTE,
                    "; ".join(reasons)) if reasons else "",
    )  # fmt: skip


# --- timeline -------------------------------------------------------------------------------------
@timeline.register("event", gettext_lazy("Events"), "bell")
def _events(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    from relasi.analytics.models_insights import EventAlert

    qs = EventAlert.objects.filter(customer=customer).select_related("rule")
    if before:
        qs = qs.filter(raised_at__lt=before)
    return [
        timeline.Entry(a.raised_at, "event", a.rule.name, a.message)
        for a in qs.order_by("-raised_at", "-id")[:limit]
    ]


# --- cross-sell panels ----------------------------------------------------------------------------
def _suggest(owned: list[int]) -> list[dict[str, Any]]:
    from relasi.analytics import basket

    if not owned:
        return []
    try:
        with mart.reader() as con:
            return basket.suggestions(con, owned)
    except Exception:
        return []


def _products_bought(customer_id: int) -> list[int]:
    from relasi.commerce.models import OrderLine

    return sorted(
        set(
            OrderLine.objects.filter(order__customer_id=customer_id, product__isnull=False)
            .values_list("product_id", flat=True)
            .order_by()[:2000]
        )
    )


def _panel(request: Any, items: list[dict[str, Any]], title: str) -> str:
    return render_to_string(
        "analytics/insights/_cross_sell.html", {"items": items, "title": title}, request=request
    )


@panels.register("customer")
def customer_cross_sell(request: Any, customer: Any) -> str:
    if request is None or not request.user.has_module_perm("analytics", "view"):
        return ""
    items = _suggest(_products_bought(customer.pk))
    return _panel(request, items, _("Customers who bought this also buy"))


@panels.register("customer")
def lifecycle_check(request: Any, customer: Any) -> str:
    """Flags a recorded lifecycle stage that the customer's orders contradict."""
    from django.utils import timezone

    from relasi.analytics import lifecycle
    from relasi.customers.choices import Lifecycle

    found = lifecycle.check(customer, timezone.localdate())
    if not found or not found["contradiction"]:
        return ""
    labels = dict(Lifecycle.choices)
    text = _(
        "The recorded lifecycle stage is “%(recorded)s”, but the orders say “%(derived)s” "
        "(%(orders)d orders, the last on %(last)s; active = bought in the last %(days)d days)."
    ) % {"recorded": labels.get(found["recorded"], found["recorded"]),
         "derived": labels.get(found["derived"], found["derived"]), "orders": found["orders"],
         "last": found["last_order"].isoformat(), "days": lifecycle.INACTIVE_DAYS}  # fmt: skip
    return format_html(
        '<div class="alert alert-warning small py-2" id="lifecycle-contradiction" role="status">'
        '<i class="bi bi-exclamation-triangle"></i> {}</div>', text,
    )  # fmt: skip


@panels.register("deal")
def deal_cross_sell(request: Any, deal: Any) -> str:
    if request is None or not request.user.has_module_perm("analytics", "view"):
        return ""
    owned = [pk for pk in deal.lines.values_list("product_id", flat=True) if pk]
    if deal.customer_id:
        owned = sorted(set(owned) | set(_products_bought(deal.customer_id)))
    return _panel(request, _suggest(owned), _("Suggested additions to this deal"))


def reason_list_html(row: dict[str, Any]) -> Any:
    return format_html_join("", "<li>{}</li>", ((r,) for r in reason_texts(row)))
