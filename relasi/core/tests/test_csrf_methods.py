"""SECURITY.md check 20: state changes need a CSRF token and are refused on GET."""

import pytest
from django.test import Client

from relasi.core.testing import PASSWORD
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_login_without_token_refused(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/logout/",
        "/customers/people/{pk}/delete/",
        "/customers/people/{pk}/edit/",
        "/customers/people/bulk/",
        "/customers/{pk}/notes/",
        "/accounts/sessions/end-others/",
        "/accounts/profile/",
        "/views/save/",
        "/i18n/setlang/",
    ],
)
def test_post_without_token_is_403(personas, path):
    customer = person(personas.manager)
    client = csrf_client(personas.manager)
    response = client.post(path.format(pk=customer.pk), {"action": "delete", "ids": [customer.pk]})
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_post_with_token_works(personas):
    customer = person(personas.manager)
    client = csrf_client(personas.manager)
    page = client.get(f"/customers/people/{customer.pk}/delete/")
    token = (
        page.cookies["csrftoken"].value
        if "csrftoken" in page.cookies
        else client.cookies["csrftoken"].value
    )
    response = client.post(
        f"/customers/people/{customer.pk}/delete/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_htmx_header_token_accepted(personas):
    customer = person(personas.manager)
    client = csrf_client(personas.manager)
    client.get("/customers/people/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/customers/{customer.pk}/notes/",
        {"body": "via htmx"},
        HTTP_X_CSRFTOKEN=token,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code in (200, 302)


def test_api_session_write_needs_csrf(personas):
    customer = person(personas.manager)
    client = csrf_client(personas.manager)
    response = client.delete(f"/api/v1/customers/people/{customer.pk}")
    assert response.status_code in (401, 403)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_api_token_write_needs_no_csrf(personas):
    from relasi.accounts.models import ApiToken

    customer = person(personas.manager)
    token, raw = ApiToken.generate(user=personas.manager, name="t", scopes={"customers": "write"})
    token.save()
    client = Client(enforce_csrf_checks=True)
    response = client.delete(
        f"/api/v1/customers/people/{customer.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 204


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/logout/",
        "/customers/people/bulk/",
        "/customers/{pk}/notes/",
        "/customers/{pk}/stage/",
        "/accounts/sessions/end-others/",
        "/accounts/sessions/1/end/",
        "/accounts/tokens/1/revoke/",
        "/accounts/users/1/end-sessions/",
        "/views/save/",
        "/views/1/delete/",
        "/i18n/setlang/",
    ],
)
def test_mutating_urls_refuse_get(personas, path):
    customer = person(personas.admin)
    client = Client()
    client.force_login(personas.admin)
    response = client.get(path.format(pk=customer.pk))
    assert response.status_code == 405
