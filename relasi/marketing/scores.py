"""The customer models' answers (RFM segment, CLV band, churn risk) copied from the analytics
mart into `CustomerScore` after every mart refresh, so a segment condition on them is an
indexed `id IN (subquery)` in the database rather than a query to the mart per count.

Bands: CLV "high" is the top 20 % of predicted values, "medium" the next 30 %, "low" the rest
(percent rank over the scored customers); churn risk uses the analytics pages' thresholds
(high ≥ 0.7, medium ≥ 0.4)."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from relasi.marketing.models import CustomerScore

log = logging.getLogger("relasi.marketing")
CHUNK = 5000

SCORES_SQL = """
WITH clv AS (
  SELECT customer_key, clv, percent_rank() OVER (ORDER BY clv DESC) AS pr FROM ins_clv
)
SELECT COALESCE(r.customer_key, c.customer_key, h.customer_key) AS customer_key,
       r.segment, c.clv,
       CASE WHEN c.clv IS NULL THEN '' WHEN c.pr < 0.2 THEN 'high'
            WHEN c.pr < 0.5 THEN 'medium' ELSE 'low' END,
       h.risk,
       CASE WHEN h.risk IS NULL THEN '' WHEN h.risk >= 0.7 THEN 'high'
            WHEN h.risk >= 0.4 THEN 'medium' ELSE 'low' END
FROM ins_rfm r
FULL OUTER JOIN clv c USING (customer_key)
FULL OUTER JOIN ins_churn h USING (customer_key)
"""


def post_refresh(con: Any, changed: dict[str, Any]) -> None:
    """The mart hook: never let a failure here break the refresh."""
    try:
        n = sync(con)
    except Exception:
        log.exception("score copy failed", extra={"event": "marketing.scores_failed"})
        return
    log.info("scores copied", extra={"event": "marketing.scores", "rows": n})


def sync(con: Any) -> int:
    """Replace every score with the snapshot's (`con`: a DuckDB connection on it)."""
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    if not {"ins_rfm", "ins_clv", "ins_churn"} <= tables:
        return 0
    rows = con.execute(SCORES_SQL).fetchall()
    return replace(rows)


def replace(rows: Iterable[tuple]) -> int:
    """Rows of (customer id, rfm segment, clv, clv band, churn risk, churn band)."""
    from relasi.customers.models import Customer

    known = set(Customer.objects.values_list("pk", flat=True))
    now = timezone.now()
    data = [
        (int(k), seg or "", clv, band or "", risk, churn or "", now)
        for k, seg, clv, band, risk, churn in rows
        if k is not None and int(k) in known
    ]
    meta = CustomerScore._meta
    cols = ["customer_id", "rfm_segment", "clv", "clv_band", "churn_risk", "churn_band"]
    cols.append("refreshed_at")
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(c) for c in cols)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(cols))})"
    )
    with transaction.atomic():
        CustomerScore.objects.all().delete()
        with connection.cursor() as cursor:
            for i in range(0, len(data), CHUNK):
                cursor.executemany(sql, data[i : i + CHUNK])
    return len(data)
