"""Quotes: gapless numbers, revisions, totals with discount and PPN, approval, PDF, e-mail."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from relasi.customers import timeline
from relasi.customers.tests.factories import person
from relasi.sales import quoting
from relasi.sales.actions import quotes as actions
from relasi.sales.models import Quote, QuoteTemplate
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(personas):
    p = f.pipeline()
    customer = person(personas.rep, "Rina", "Wati", emails=["rina@example.test"])
    return f.deal(personas.rep, p, customer=customer)


def lines(disc="0"):
    return [
        {
            "description": "Rice cooker",
            "quantity": 3,
            "unit_price": "333333",
            "discount_percent": disc,
            "tax_rate": "11",
        },
        {
            "description": "Premium blender",
            "quantity": 1,
            "unit_price": "1000000",
            "tax_rate": "12",
        },
    ]


def test_numbers_are_gapless_per_year_even_after_a_rollback(personas, deal):
    year = timezone.localdate().year
    q1 = actions.create_quote(personas.rep, deal, lines=lines())
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.create_quote(personas.rep, deal, lines=lines())
        raise RuntimeError("roll back")
    q2 = actions.create_quote(personas.rep, deal, lines=lines())
    assert q1.number == f"Q-{year}-00001" and q2.number == f"Q-{year}-00002"


def test_totals_discount_tax_and_whole_rupiah(personas, deal):
    q = actions.create_quote(personas.rep, deal, lines=lines(disc="10"))
    # 3 × 333,333 = 999,999; −10 % = 100,000 (rounded) → 899,999; PPN 11 % = 99,000 (98,999.89)
    # 1,000,000 at PPN 12 % = 120,000
    assert q.subtotal == Decimal("1999999") and q.discount_total == Decimal("100000")
    assert q.tax_total == Decimal("219000") and q.total == Decimal(
        "2118999"
    )  # 899,999 + 99,000 + 1,000,000 + 120,000
    assert all(v == v.to_integral() for v in (q.subtotal, q.tax_total, q.total))
    assert q.max_discount_percent == Decimal("10")


def test_other_currencies_keep_cents(personas, deal):
    q = actions.create_quote(
        personas.rep,
        deal,
        {"currency": "USD"},
        lines=[{"description": "Fan", "quantity": 3, "unit_price": "19.99", "tax_rate": "11"}],
    )
    assert (
        q.subtotal == Decimal("59.97")
        and q.tax_total == Decimal("6.60")
        and q.total == Decimal("66.57")
    )


def test_product_tax_rate_is_used(personas, deal):
    luxury = f.product("TV-65", "TV 65 inch", "20000000", tax="12")
    q = actions.create_quote(personas.rep, deal, lines=[{"product": luxury, "quantity": 1}])
    assert q.lines.get().tax_rate == Decimal("12") and q.tax_total == Decimal("2400000")


def test_revision_keeps_history(personas, deal):
    q1 = actions.create_quote(personas.rep, deal, lines=lines())
    q2 = actions.revise(
        personas.rep,
        q1,
        lines=[
            {"description": "Rice cooker", "quantity": 5, "unit_price": "333333", "tax_rate": "11"}
        ],
    )
    q1.refresh_from_db()
    assert q2.number == q1.number and q2.revision == 2 and q1.status == "superseded"
    assert q1.lines.count() == 2 and q2.lines.count() == 1
    with pytest.raises(ValidationError):
        actions.revise(personas.rep, q1)
    with pytest.raises(ValidationError):
        actions.update_quote(personas.rep, q1, {"title": "x"})


def test_discount_above_role_limit_needs_approval_before_sending(personas, deal):
    q = actions.create_quote(personas.rep, deal, lines=lines(disc="25"))  # sales role limit: 10 %
    assert actions.needs_approval(q) and not actions.can_send(q)
    with pytest.raises(ValidationError):
        actions.send(personas.rep, q, "rina@example.test")
    q = actions.request_approval(personas.rep, q)
    assert q.status == "pending_approval"
    with pytest.raises(PermissionDenied):
        actions.decide(personas.rep, q, True)  # never one's own
    with pytest.raises(PermissionDenied):
        actions.decide(personas.other_rep, q, True)  # not their manager, limit 10 %
    q = actions.decide(personas.manager, q, False, "too much")
    assert q.status == "rejected" and not actions.can_send(q)
    q = actions.request_approval(personas.rep, q)
    q = actions.decide(personas.manager, q, True, "ok for this customer")
    assert q.status == "approved" and q.approved_by == personas.manager and actions.can_send(q)
    from relasi.core.models import AuditEvent

    messages = set(AuditEvent.objects.for_object(q).values_list("message", flat=True))
    assert {"discount approval requested", "discount rejected", "discount approved"} <= messages


def test_discount_within_limit_sends_without_approval(personas, deal):
    q = actions.create_quote(personas.rep, deal, lines=lines(disc="5"))
    assert not actions.needs_approval(q) and actions.can_send(q)


def test_pdf_and_email_with_attachment_and_timeline(personas, deal):
    q = actions.create_quote(personas.rep, deal, lines=lines())
    pdf = quoting.render_pdf(q)
    assert pdf.startswith(b"%PDF")
    q = actions.send(personas.rep, q, "rina@example.test", message="Silakan")
    assert q.status == "sent" and q.sent_to == "rina@example.test"
    message = mail.outbox[-1]
    assert message.to == ["rina@example.test"]
    name, content, mimetype = message.attachments[0]
    assert (
        name == f"{q.number}.pdf" and mimetype == "application/pdf" and content.startswith(b"%PDF")
    )
    titles = [e.title for e in timeline.entries(deal.customer, kinds_wanted=["quote"])]
    assert any("sent to rina@example.test" in t for t in titles) and any(
        "issued" in t for t in titles
    )


def test_pdf_download_one_click(personas, deal, as_user):
    q = actions.create_quote(personas.rep, deal, lines=lines())
    response = as_user(personas.rep).get(f"/sales/quotes/{q.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and q.number in response["Content-Disposition"]
    assert as_user(personas.other_rep).get(f"/sales/quotes/{q.pk}/pdf/").status_code == 404
    api = as_user(personas.rep).get(f"/api/v1/sales/quotes/{q.pk}/pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")


def test_template_sandbox(personas, deal):
    for bad in [
        "{% load static %}",
        "{% include 'base.html' %}",
        "{{ customer.name|safe }}",
        "{% url 'x' %}",
        "{{ quote.__class__ }}",
        "{% debug %}",
    ]:
        with pytest.raises(ValidationError):
            quoting.validate_template(bad)
    QuoteTemplate.objects.create(
        name="Custom",
        body="<h1>{{ quote.number }} {{ customer.name|upper }}</h1>{% for l in lines %}<p>{{ l.description }}</p>{% endfor %}",
        is_default=True,
    )
    q = actions.create_quote(
        personas.rep, deal, lines=[{"description": "<script>x</script>", "unit_price": 1}]
    )
    html = quoting.render_html(q)
    assert f"{q.number} RINA WATI" in html and "&lt;script&gt;" in html and "<script>" not in html


def test_template_editor_refuses_unsafe_tags(personas, as_user):
    response = as_user(personas.admin).post(
        "/sales/quote-templates/new/", {"name": "Evil", "body": "{% load static %}", "active": "on"}
    )
    assert response.status_code == 400 and not QuoteTemplate.objects.filter(name="Evil").exists()


def test_quote_views_flow(personas, deal, as_user):
    client = as_user(personas.rep)
    response = client.post(f"/sales/deals/{deal.pk}/quote/")
    q = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == q.get_absolute_url()
    assert client.get(q.get_absolute_url()).status_code == 200
    response = client.post(f"/sales/quotes/{q.pk}/send/", {"to": "rina@example.test"})
    assert (
        response.status_code == 302
        and Quote.objects.get().status == "sent"
        and len(mail.outbox) == 1
    )


def test_quote_api_flow(personas, deal, as_user):
    rep, manager = as_user(personas.rep), as_user(personas.manager)
    created = rep.post(
        f"/api/v1/sales/deals/{deal.pk}/quotes",
        {
            "lines": [
                {
                    "description": "Kipas",
                    "quantity": 2,
                    "unit_price": "500000",
                    "discount_percent": 20,
                }
            ]
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    qid = created.json()["id"]
    assert created.json()["needs_approval"] is True
    assert (
        rep.post(
            f"/api/v1/sales/quotes/{qid}/send",
            {"to": "rina@example.test"},
            content_type="application/json",
        ).status_code
        == 422
    )
    assert rep.post(f"/api/v1/sales/quotes/{qid}/request-approval").status_code == 200
    assert (
        as_user(personas.other_rep)
        .post(
            f"/api/v1/sales/quotes/{qid}/approve",
            {"approve": True},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert (
        manager.post(
            f"/api/v1/sales/quotes/{qid}/approve",
            {"approve": True},
            content_type="application/json",
        ).json()["status"]
        == "approved"
    )
    assert (
        rep.post(
            f"/api/v1/sales/quotes/{qid}/send",
            {"to": "rina@example.test"},
            content_type="application/json",
        ).json()["status"]
        == "sent"
    )
    revised = rep.post(f"/api/v1/sales/quotes/{qid}/revise", {}, content_type="application/json")
    assert revised.status_code == 201 and revised.json()["revision"] == 2
