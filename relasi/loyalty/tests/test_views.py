import pytest
from django.utils import translation

from relasi.core.testing import client_for
from relasi.customers.tests.factories import person
from relasi.loyalty import actions
from relasi.loyalty.models import Member, Programme

pytestmark = pytest.mark.django_db


def test_enrol_from_customer_page_then_redeem(personas):
    programme = Programme.objects.create(code="club", name="XYZ Club", min_redemption=10)
    customer = person(personas.rep, "Rina", "Sari")
    admin = client_for(personas.admin)
    page = admin.get(customer.get_absolute_url()).content.decode()
    assert "Enrol in XYZ Club" in page
    r = admin.post(f"/loyalty/enrol/{customer.pk}/{programme.pk}/",
                   {"first_name": "Rina", "occupation": "Perawat", "marketing_email": "on"})  # fmt: skip
    member = Member.objects.get(customer=customer)
    assert r.status_code == 302 and r["Location"] == member.get_absolute_url()
    customer.refresh_from_db()
    assert customer.occupation == "Perawat"
    admin.post(f"/loyalty/members/{member.pk}/adjust/", {"points": 300, "reason": "welcome"})
    admin.post(f"/loyalty/members/{member.pk}/redeem/", {"points": 100})
    member.refresh_from_db()
    assert member.balance == 200
    detail = admin.get(member.get_absolute_url()).content.decode()
    assert 'data-balance="200"' in detail
    assert "200" in admin.get(customer.get_absolute_url()).content.decode()
    home = admin.get("/loyalty/")
    assert home.status_code == 200 and b"XYZ Club" in home.content
    with translation.override("id"):
        admin.cookies["django_language"] = "id"
        assert (
            "Poin"
            in admin.get(member.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id").content.decode()
        )


def test_permissions(personas):
    programme = Programme.objects.create(code="club", name="Club")
    member = actions.enrol(personas.admin, programme, customer=person(personas.rep, "A", "B"))
    assert client_for(personas.other_rep).get(member.get_absolute_url()).status_code == 404
    assert client_for(personas.rep).get(member.get_absolute_url()).status_code == 200
    r = client_for(personas.rep).post(
        f"/loyalty/members/{member.pk}/adjust/", {"points": 5, "reason": "x"}
    )
    assert r.status_code == 403
    assert client_for(personas.readonly).get("/loyalty/").status_code == 403
    assert (
        client_for(personas.rep)
        .get(f"/loyalty/enrol/{member.customer_id}/{programme.pk}/")
        .status_code
        == 403
    )
