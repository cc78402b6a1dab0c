"""The sales app plugs into the customer database: merges move deals, quotes and converted
leads; global search finds leads, deals and products within visibility."""

import pytest

from relasi.core import search
from relasi.customers.merge import merge_customers, undo_merge
from relasi.customers.tests.factories import person
from relasi.sales.actions import leads as lead_actions
from relasi.sales.actions import quotes as quote_actions
from relasi.sales.models import Deal, Lead, Quote
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


def test_merge_moves_deals_quotes_and_leads_and_undo_restores(personas):
    p = f.pipeline()
    keep = person(personas.rep, "Rina", "Wati", emails=["rina@example.test"])
    dupe = person(personas.rep, "Rina", "Wati", emails=["rina.w@example.test"])
    deal = f.deal(personas.rep, p, customer=dupe)
    quote = quote_actions.create_quote(
        personas.rep, deal, lines=[{"description": "x", "unit_price": 1}]
    )
    lead = lead_actions.convert_lead(
        personas.rep,
        f.lead(personas.rep, email="rina.w@example.test"),
        person=str(dupe.pk),
        organization=None,
    )
    record = merge_customers(personas.admin, keep, dupe)
    assert Deal.objects.get(pk=deal.pk).customer_id == keep.pk
    assert Quote.objects.get(pk=quote.pk).customer_id == keep.pk
    assert Lead.objects.get(pk=lead.pk).converted_customer_id == keep.pk
    undo_merge(personas.admin, record)
    assert Deal.objects.get(pk=deal.pk).customer_id == dupe.pk


def test_search_finds_sales_records_within_visibility(personas):
    p = f.pipeline()
    f.deal(personas.rep, p, name="Kompor untuk Hotel Melati")
    f.lead(personas.rep, first_name="Kartika", email="k@example.test")
    f.product("KMP-2", "Kompor gas 2 tungku")
    titles = {r.title for r in search.search(personas.rep, "Ko")}
    assert {"Kompor untuk Hotel Melati", "Kompor gas 2 tungku"} <= titles
    assert "Kartika Santoso" in {r.title for r in search.search(personas.rep, "Kartika")}
    assert "Kompor untuk Hotel Melati" not in {
        r.title for r in search.search(personas.other_rep, "Kompor")
    }
