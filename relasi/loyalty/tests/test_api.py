import pytest

from relasi.core.testing import client_for
from relasi.customers.tests.factories import person
from relasi.loyalty.models import Member, Programme

pytestmark = pytest.mark.django_db
J = "application/json"


@pytest.fixture
def programme():
    return Programme.objects.create(code="club", name="Club", min_redemption=10)


def test_enrol_lookup_redeem_and_visibility(personas, programme):
    admin = client_for(personas.admin)
    r = admin.post("/api/v1/loyalty/members", {"programme_id": programme.pk, "first_name": "Budi",
        "last_name": "Santoso", "phone": "0812 1111 2222", "consents": {"email": False}}, content_type=J)  # fmt: skip
    assert r.status_code == 201, r.content
    member = Member.objects.get(pk=r.json()["id"])
    assert member.customer.first_name == "Budi"
    found = admin.get("/api/v1/loyalty/members/lookup", {"phone": "+62 812-1111-2222"})
    assert found.status_code == 200 and found.json()["number"] == member.number
    assert (
        admin.get("/api/v1/loyalty/members/lookup", {"number": member.number}).json()["id"]
        == member.pk
    )
    url = f"/api/v1/loyalty/members/{member.pk}"
    adj = admin.post(f"{url}/adjust", {"points": 100, "reason": "welcome"}, content_type=J)
    assert adj.status_code == 201 and adj.json()["balance"] == 100
    body = {"points": 30, "external_ref": "POS-9"}
    first = admin.post(f"{url}/redeem", body, content_type=J)
    again = admin.post(f"{url}/redeem", body, content_type=J)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["balance"] == 70
    too_much = admin.post(f"{url}/redeem", {"points": 500}, content_type=J)
    assert too_much.status_code == 422
    no_reason = admin.post(f"{url}/adjust", {"points": 5, "reason": " "}, content_type=J)
    assert no_reason.status_code == 422
    ledger = admin.get(f"{url}/ledger").json()
    assert [e["points"] for e in ledger["items"]] == [-30, 100]
    rev = admin.post(f"/api/v1/loyalty/entries/{first.json()['entry']['id']}/reverse",
                     {"reason": "void"}, content_type=J)  # fmt: skip
    assert rev.status_code == 201 and rev.json()["balance"] == 100
    report = admin.get("/api/v1/loyalty/reports/liability").json()
    assert report[0]["points"] == 100 and report[0]["value"] == "10000.00"
    # a sales rep of another team sees neither the member nor their points
    other = client_for(personas.other_rep)
    assert other.get(url).status_code == 404
    assert other.get("/api/v1/loyalty/members/lookup", {"number": member.number}).status_code == 404
    assert other.get("/api/v1/loyalty/reports/liability").json()[0]["points"] == 0
    # sales may view loyalty, not spend points; read-only has no loyalty at all
    assert client_for(personas.rep).post(f"{url}/redeem", body, content_type=J).status_code == 403
    assert client_for(personas.readonly).get(url).status_code == 403


def test_owner_sees_member_of_own_customer(personas, programme):
    from relasi.loyalty import actions

    customer = person(personas.rep, "Own", "Customer")
    member = actions.enrol(personas.admin, programme, customer=customer)
    r = client_for(personas.rep).get(f"/api/v1/loyalty/members/{member.pk}")
    assert r.status_code == 200 and r.json()["customer_id"] == customer.pk
