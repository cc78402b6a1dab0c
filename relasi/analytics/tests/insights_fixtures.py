"""A hand-made mart in an in-memory DuckDB: the customer-model tests count by hand on it."""

import datetime as dt
from typing import Any

import duckdb

from relasi.analytics import mart

AS_OF = dt.date(2025, 6, 30)


def duck() -> Any:
    con = duckdb.connect(":memory:")
    for stmt in mart.ddl():
        con.execute(stmt)
    return con


class Mart:
    def __init__(self) -> None:
        self.con = duck()
        self.order_id = 0
        self.line_id = 0

    def customer(self, key: int, owner: int | None = None, team: int | None = None,
                 tags: str = "") -> None:  # fmt: skip
        self.con.execute(
            "INSERT INTO dim_customer (customer_key, name, owner_key, team_key, tags) "
            "VALUES (?, ?, ?, ?, ?)",
            [key, f"C{key}", owner, team, tags],
        )

    def order(self, customer: int | None, day: dt.date | str, amount: float = 100.0,
              products: list[int] | None = None, margin: float | None = None, store: int = 1,
              channel: str = "store", team: int | None = None, status: str = "completed") -> int:  # fmt: skip
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        self.order_id += 1
        oid = self.order_id
        sale = status != "cancelled"
        self.con.execute(
            "INSERT INTO fact_order (order_id, order_date, customer_key, store_key, channel, "
            "team_key, status, is_sale, net_amount, margin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [oid, day, customer, store, channel, team, status, sale, amount, margin],
        )
        products = products or []
        for p in products:
            self.line_id += 1
            self.con.execute(
                "INSERT INTO fact_order_line (line_id, order_id, order_date, customer_key, "
                "product_key, store_key, channel, team_key, status, is_sale, quantity, "
                "net_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                [self.line_id, oid, day, customer, p, store, channel, team, status, sale,
                 amount / len(products)],
            )  # fmt: skip
        return oid

    def bulk_orders(self, rows: list[tuple[int, dt.date, float]]) -> None:
        """Many (customer, day, amount) sales at once (one INSERT, no lines)."""
        start = self.order_id + 1
        self.order_id += len(rows)
        self.con.execute(
            "INSERT INTO fact_order (order_id, order_date, customer_key, store_key, channel, "
            "status, is_sale, net_amount) SELECT unnest(?::BIGINT[]), unnest(?::DATE[]), "
            "unnest(?::BIGINT[]), 1, 'store', 'completed', TRUE, unnest(?::DOUBLE[])",
            [list(range(start, self.order_id + 1)), [r[1] for r in rows], [r[0] for r in rows],
             [float(r[2]) for r in rows]],
        )  # fmt: skip
