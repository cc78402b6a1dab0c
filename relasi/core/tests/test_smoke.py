import pytest

from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def test_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_rep_sees_own_customer_but_outsider_gets_404(personas, as_user):
    c = person(personas.rep)
    url = f"/customers/people/{c.pk}/"
    assert as_user(personas.rep).get(url).status_code == 200
    assert as_user(personas.manager).get(url).status_code == 200
    assert as_user(personas.other_rep).get(url).status_code == 404
