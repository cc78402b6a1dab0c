"""Global search finds tickets, quotes and orders by their number (issue #19): however the
number is typed, within the user's visibility, through the number column's index."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relasi.commerce.models import Order
from relasi.core import search
from relasi.core.testing import client_for
from relasi.customers.tests.factories import person
from relasi.sales.models import Quote
from relasi.sales.tests.factories import deal, pipeline
from relasi.service.models import Ticket
from relasi.service.tests.factories import ttype


@pytest.fixture
def numbered(personas):
    customer = person(personas.rep, "Siti", "Rahayu")
    ticket = Ticket.objects.create(
        number="TKT-2026-000042",
        ticket_type=ttype(),
        customer=customer,
        subject="Rice cooker",
        owner=personas.rep,
    )
    d = deal(personas.rep, pipeline())
    today = timezone.localdate()
    quote = Quote.objects.create(
        deal=d, customer=customer, number="Q-2026-00007", revision=2, owner=personas.rep,
        issue_date=today, valid_until=today + dt.timedelta(days=30),
    )  # fmt: skip
    order = Order.objects.create(
        source="pos", external_id="X1", number="JKT01/202601/981", customer=customer,
        order_date=today, owner=personas.rep,
    )  # fmt: skip
    return ticket, quote, order


@pytest.mark.parametrize(
    "typed",
    ["TKT-2026-000042", "tkt-2026-000042", "tkt 2026 42", "TKT-2026-42", "2026-000042"],
)
def test_ticket_number_however_typed(personas, numbered, typed):
    ticket = numbered[0]
    results = search.search(personas.rep, typed)
    assert results and results[0].url == ticket.get_absolute_url()
    assert results[0].exact


@pytest.mark.parametrize("typed", ["Q-2026-00007", "q-2026-7", "q 2026 00007"])
def test_quote_number(personas, numbered, typed):
    quote = numbered[1]
    results = search.search(personas.rep, typed)
    assert results[0].url == quote.get_absolute_url()
    assert results[0].group == "Quotes"


@pytest.mark.parametrize("typed", ["JKT01/202601/981", "jkt01/202601/981"])
def test_order_number(personas, numbered, typed):
    order = numbered[2]
    results = search.search(personas.rep, typed)
    assert results[0].url == order.get_absolute_url()
    assert results[0].group == "Orders"


def test_numbers_are_access_scoped(personas, numbered):
    """Another team's rep learns nothing about the records, not even that they exist."""
    for typed in ("TKT-2026-000042", "Q-2026-00007", "JKT01/202601/981"):
        assert search.search(personas.other_rep, typed) == []
    assert len(search.search(personas.manager, "TKT-2026-000042")) == 1


def test_number_lookups_use_the_index(personas, numbered):
    """One exact IN lookup on the number column per kind of record, never a LIKE scan."""
    with CaptureQueriesContext(connection) as ctx:
        search.search(personas.admin, "Q-2026-00007")
    quote_sql = [q["sql"] for q in ctx.captured_queries if '"sales_quote"' in q["sql"]]
    assert quote_sql and all('"number" IN (' in sql for sql in quote_sql)
    assert not any("LIKE" in sql for sql in quote_sql)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM commerce_order WHERE number IN (%s, %s)",
                ["a", "A"],
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "INDEX" in plan and "(number=?)" in plan, plan


def test_ctrl_k_results_are_keyboard_options(personas, numbered):
    """The htmx answer is a list of options the palette's combobox can move through."""
    response = client_for(personas.rep).get(
        "/search/",
        {"q": "TKT-2026-000042"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="palette-results",
    )
    html = response.content.decode()
    assert 'role="option"' in html and 'id="palette-results-g1-1"' in html
    assert numbered[0].get_absolute_url() in html


def test_number_spellings():
    assert search.number_spellings("tkt 2026 42", "TKT", 6) == [
        "tkt 2026 42",
        "TKT 2026 42",
        "TKT-2026-000042",
    ]
    assert search.number_spellings("q-2026-42", "TKT", 6) == ["q-2026-42", "Q-2026-42"]
    assert search.number_spellings("2026-1234567", "Q", 5) == ["2026-1234567"]
