"""Fast synthetic customers for benchmarks: raw executemany (SQLite) / COPY (PostgreSQL),
never an ORM object per row. Columns come from the model so the loader stays in step with it."""

import datetime as dt
import json
import random
from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

from relasi.customers import demo_data as D
from relasi.customers.models import Customer, EmailAddress, PhoneNumber

CHUNK = 50_000


def _columns(model: type) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _defaults(model: type) -> dict:
    out = {}
    for f in _columns(model):
        value = f.get_default() if f.has_default() else (None if f.null else "")
        if isinstance(value, list | dict):
            value = json.dumps(value)
        out[f.column] = value
    return out


def _rows(n: int, start_id: int) -> Iterator[tuple[dict, dict, dict]]:
    rng = random.Random(42)
    now = timezone.now()
    for i in range(n):
        pk = start_id + i
        first = rng.choice(D.FIRST_F + D.FIRST_M)
        last = rng.choice(D.LAST) or "Putra"
        name = f"{first} {last}"
        email = f"{first}.{last}{pk}@example.test".lower().replace(" ", ".")
        phone = f"+628{rng.randint(11, 99)}{pk:08d}"
        province, cities = rng.choice(D.PLACES)
        city = rng.choice(cities)[0]
        created = now - dt.timedelta(minutes=pk)
        customer = {
            "id": pk,
            "kind": "person",
            "name": name,
            "first_name": first,
            "last_name": last,
            "customer_type": "b2c",
            "lifecycle_stage": "customer",
            "lifecycle_changed_at": created,
            "preferred_language": "id",
            "primary_email": email,
            "primary_phone": phone,
            "city": city,
            "province": province,
            "created_at": created,
            "updated_at": created,
            "version": 1,
            "search_text": f"{name} {email} {phone} {phone[1:]} 0{phone[3:]} {phone[3:]} {city} {province}".lower(),
        }
        yield (
            customer,
            {"customer_id": pk, "email": email, "label": "personal", "is_primary": True},
            {"customer_id": pk, "number": phone, "label": "mobile", "is_primary": True},
        )


def _insert(model: type, rows: list[dict]) -> None:
    defaults = _defaults(model)
    cols = (
        ["id"] + [f.column for f in _columns(model)]
        if "id" in rows[0]
        else [f.column for f in _columns(model)]
    )
    table = model._meta.db_table
    data = [tuple(r.get(c, defaults.get(c)) for c in cols) for r in rows]
    names = ", ".join(connection.ops.quote_name(c) for c in cols)  # "references" is SQL
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(cols))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", data)


def load_people(n: int) -> None:
    start = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    batch: list[tuple[dict, dict, dict]] = []
    for row in _rows(n, start):
        batch.append(row)
        if len(batch) == CHUNK:
            _flush(batch)
            batch = []
    if batch:
        _flush(batch)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('customers_customer','id'), (SELECT MAX(id) FROM customers_customer))"
            )
            # Settle the freshly loaded tables before measuring (autovacuum would otherwise run
            # in the middle of the measurements).
            cursor.execute(
                "VACUUM ANALYZE customers_customer, customers_emailaddress, customers_phonenumber"
            )
        else:
            from relasi.customers.search import rebuild_index

            rebuild_index()
            cursor.execute("ANALYZE")


def _flush(batch: list[tuple[dict, dict, dict]]) -> None:
    with transaction.atomic():
        _insert(Customer, [b[0] for b in batch])
        _insert(EmailAddress, [b[1] for b in batch])
        _insert(PhoneNumber, [b[2] for b in batch])
