"""Market-basket analysis: association rules between products over baskets (one order = one
basket), Apriori-style for itemsets of two and three products, counted in DuckDB SQL.

For a rule X → Y over N baskets:
  support = baskets with X ∪ Y / N;  confidence = baskets with X ∪ Y / baskets with X;
  lift = confidence / (baskets with Y / N)   (> 1: bought together more than by chance).

Apriori pruning: only products with at least `min_support` take part in pairs, and only pairs
that are frequent themselves take part in triples (every subset of a frequent itemset is
frequent), which keeps the self-joins small."""

from typing import Any

from relasi.analytics.insights_scope import Scope, orders_where

RULE_COLUMNS = ["ante1", "ante2", "consequent", "baskets", "support", "confidence", "lift"]


def mine(
    con: Any,
    scope: Scope,
    *,
    min_support: float = 0.001,
    min_count: int = 5,
    min_confidence: float = 0.05,
    triples: bool = True,
    table: str = "ins_basket_rules",
    temp: bool = False,
) -> dict[str, Any]:
    """Mine the rules into `table` (ante1, ante2 NULL for a pair rule, consequent, ...)."""
    where, params = orders_where(scope, "l")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _bk AS SELECT DISTINCT order_id AS b, product_key AS p "  # noqa: S608
        f"FROM fact_order_line l WHERE {where} AND product_key IS NOT NULL",
        params,
    )
    n = con.execute("SELECT count(DISTINCT b) FROM _bk").fetchone()[0]
    stats = {"baskets": n, "items": 0, "pairs": 0, "triples": 0, "rules": 0}
    kind = "TEMP TABLE" if temp else "TABLE"
    con.execute(
        f"CREATE OR REPLACE {kind} {table} (ante1 BIGINT, ante2 BIGINT, consequent BIGINT, "
        "baskets BIGINT, support DOUBLE, confidence DOUBLE, lift DOUBLE)"
    )
    if not n:
        con.execute("DROP TABLE IF EXISTS _bk")
        return stats
    need = max(min_count, int(min_support * n + 0.999999))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _f1 AS SELECT p, count(*) AS c FROM _bk GROUP BY p "
        "HAVING count(*) >= ?",
        [need],
    )
    # Baskets restricted to frequent products; the pair count is a self-join on the basket.
    con.execute("CREATE OR REPLACE TEMP TABLE _bf AS SELECT b, p FROM _bk SEMI JOIN _f1 USING (p)")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _f2 AS SELECT x.p AS p1, y.p AS p2, count(*) AS c "
        "FROM _bf x JOIN _bf y ON x.b = y.b AND x.p < y.p GROUP BY 1, 2 HAVING count(*) >= ?",
        [need],
    )
    stats["items"] = con.execute("SELECT count(*) FROM _f1").fetchone()[0]
    stats["pairs"] = con.execute("SELECT count(*) FROM _f2").fetchone()[0]
    con.execute(
        f"INSERT INTO {table} "  # noqa: S608
        "SELECT x, NULL, y, c, c / ?, c / cx, (c / cx) / (cy / ?) FROM ("
        " SELECT p1 AS x, p2 AS y, f.c, a.c AS cx, b.c AS cy FROM _f2 f "
        "  JOIN _f1 a ON a.p = f.p1 JOIN _f1 b ON b.p = f.p2"
        " UNION ALL"
        " SELECT p2, p1, f.c, b.c, a.c FROM _f2 f JOIN _f1 a ON a.p = f.p1 JOIN _f1 b ON b.p = f.p2"
        ") WHERE c / cx >= ?",
        [float(n), float(n), min_confidence],
    )
    if triples and stats["pairs"]:
        # Baskets that hold at least one frequent pair, then triples whose three pairs are
        # all frequent (the Apriori property).
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _bt AS SELECT b, p FROM _bf WHERE b IN ("
            "SELECT x.b FROM _bf x JOIN _bf y ON x.b = y.b AND x.p < y.p "
            "SEMI JOIN _f2 ON _f2.p1 = x.p AND _f2.p2 = y.p)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _f3 AS SELECT x.p AS p1, y.p AS p2, z.p AS p3, "
            "count(*) AS c FROM _bt x JOIN _bt y ON x.b = y.b AND x.p < y.p "
            "JOIN _bt z ON z.b = x.b AND y.p < z.p "
            "SEMI JOIN _f2 f12 ON f12.p1 = x.p AND f12.p2 = y.p "
            "GROUP BY 1, 2, 3 HAVING count(*) >= ?",
            [need],
        )
        con.execute(
            "DELETE FROM _f3 WHERE NOT EXISTS (SELECT 1 FROM _f2 WHERE _f2.p1 = _f3.p1 "
            "AND _f2.p2 = _f3.p3) OR NOT EXISTS (SELECT 1 FROM _f2 WHERE _f2.p1 = _f3.p2 "
            "AND _f2.p2 = _f3.p3)"
        )
        stats["triples"] = con.execute("SELECT count(*) FROM _f3").fetchone()[0]
        # {a, b} → c for each of the three choices of consequent.
        con.execute(
            f"INSERT INTO {table} "  # noqa: S608
            "SELECT a1, a2, y, c, c / ?, c / cx, (c / cx) / (cy / ?) FROM ("
            " SELECT t.p1 AS a1, t.p2 AS a2, t.p3 AS y, t.c, f.c AS cx, s.c AS cy FROM _f3 t"
            "  JOIN _f2 f ON f.p1 = t.p1 AND f.p2 = t.p2 JOIN _f1 s ON s.p = t.p3"
            " UNION ALL"
            " SELECT t.p1, t.p3, t.p2, t.c, f.c, s.c FROM _f3 t"
            "  JOIN _f2 f ON f.p1 = t.p1 AND f.p2 = t.p3 JOIN _f1 s ON s.p = t.p2"
            " UNION ALL"
            " SELECT t.p2, t.p3, t.p1, t.c, f.c, s.c FROM _f3 t"
            "  JOIN _f2 f ON f.p1 = t.p2 AND f.p2 = t.p3 JOIN _f1 s ON s.p = t.p1"
            ") WHERE c / cx >= ?",
            [float(n), float(n), min_confidence],
        )
    stats["rules"] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    for t in ("_bk", "_f1", "_bf", "_f2", "_bt", "_f3"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return stats


def suggestions(
    con: Any, owned: list[int], *, table: str = "ins_basket_rules", limit: int = 5
) -> list[dict[str, Any]]:
    """ "Customers who bought X also buy Y": the best rules whose antecedent the customer (or
    the deal) already has and whose consequent they do not, one line per suggested product."""
    if not owned:
        return []
    rows = con.execute(
        f"""
SELECT r.consequent, r.ante1, r.ante2, r.confidence, r.lift, r.support, p.name, p.list_price
FROM {table} r LEFT JOIN dim_product p ON p.product_key = r.consequent
WHERE r.lift > 1 AND r.ante1 IN (SELECT unnest(?::BIGINT[]))
  AND (r.ante2 IS NULL OR r.ante2 IN (SELECT unnest(?::BIGINT[])))
  AND r.consequent NOT IN (SELECT unnest(?::BIGINT[]))
  AND COALESCE(p.active, TRUE)
QUALIFY row_number() OVER (PARTITION BY r.consequent ORDER BY r.confidence * r.lift DESC) = 1
ORDER BY r.confidence * r.lift DESC LIMIT ?""",  # noqa: S608
        [owned, owned, owned, limit],
    ).fetchall()
    names = dict(
        con.execute(
            "SELECT product_key, name FROM dim_product WHERE product_key IN (SELECT unnest(?::BIGINT[]))",
            [[k for r in rows for k in (r[1], r[2]) if k is not None]],
        ).fetchall()
    )
    return [
        {
            "product_key": r[0],
            "name": r[6] or f"#{r[0]}",
            "price": r[7],
            "because": [names.get(k, f"#{k}") for k in (r[1], r[2]) if k is not None],
            "confidence": r[3],
            "lift": r[4],
            "support": r[5],
        }
        for r in rows
    ]
