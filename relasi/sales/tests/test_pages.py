"""Every sales page renders for the roles that may open it, and hides from those that may not."""

import pytest

from relasi.sales.models import WebForm
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    p = f.pipeline()
    prod = f.product()
    lead = f.lead(personas.rep)
    deal = f.deal(personas.rep, p)
    from relasi.sales.actions import quotes

    deal_actions = __import__("relasi.sales.actions.deals", fromlist=["set_lines"])
    deal_actions.set_lines(personas.rep, deal, [{"product": prod, "quantity": 2}])
    quote = quotes.create_quote(personas.rep, deal)
    form = WebForm.objects.create(
        name="Contact",
        fields=[{"name": "name", "required": True}, {"name": "email", "required": True}],
        consent_text="You may contact me",
    )
    return personas, p, lead, deal, quote, form


def test_rep_pages_render(world, as_user):
    personas, p, lead, deal, quote, _form = world
    client = as_user(personas.rep)
    for url in [
        "/sales/leads/",
        "/sales/leads/mine/",
        f"/sales/leads/{lead.pk}/",
        f"/sales/leads/{lead.pk}/convert/",
        "/sales/leads/new/",
        f"/sales/board/{p.pk}/",
        "/sales/deals/",
        f"/sales/deals/{deal.pk}/",
        f"/sales/deals/{deal.pk}/lines/",
        "/sales/quotes/",
        f"/sales/quotes/{quote.pk}/",
        "/sales/forecast/",
        "/sales/performance/",
        "/sales/products/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert client.get("/sales/board/").status_code == 302


def test_admin_pages_render(world, as_user):
    personas, p, _lead, _deal, _quote, form = world
    client = as_user(personas.admin)
    for url in [
        "/sales/pipelines/",
        f"/sales/pipelines/{p.pk}/",
        "/sales/stages/",
        "/sales/scoring-rules/",
        "/sales/scoring-rules/new/",
        "/sales/assignment-rules/",
        "/sales/assignment-rules/new/",
        "/sales/web-forms/",
        "/sales/web-forms/new/",
        f"/sales/web-forms/{form.pk}/",
        "/sales/quote-templates/new/",
        "/sales/price-lists/",
        "/sales/quotas/",
        "/approvals/",
        f"/sales/performance/?team={personas.team_a.pk}",
        f"/sales/performance/?rep={personas.rep.pk}&period_kind=month",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_public_form_renders_anonymously(world, client):
    *_rest, form = world
    response = client.get(f"/f/{form.key}/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
