"""Generic lists: sort, columns, keyset pages, saved views, and query counts that do not grow
with the number of rows (N+1 guard)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relasi.core.models import SavedView
from relasi.core.testing import client_for
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def _make(owner, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        person(
            owner,
            f"Person{i:03d}",
            "Listed",
            emails=[f"p{i}@example.test"],
            phones=["081234567890"],
        )


@pytest.mark.parametrize(
    "url",
    [
        "/customers/people/?cols=name,primary_email,primary_phone,city,lifecycle_stage,owner,tags",
        "/api/v1/customers/people",
    ],
)
def test_query_count_does_not_grow_with_rows(personas, url, django_assert_max_num_queries):
    client = client_for(personas.rep)
    _make(personas.rep, 5)
    client.get(url)  # warm caches (content types, custom fields)
    few = _queries(client, url)
    _make(personas.rep, 45, start=5)
    many = _queries(client, url)
    assert many == few, f"{few} queries for 5 rows, {many} for 50"
    with django_assert_max_num_queries(25):
        client.get(url)


def test_sort_and_columns(personas):
    _make(personas.rep, 3)
    client = client_for(personas.rep)
    html = client.get("/customers/people/?sort=-name&cols=name,city").content.decode()
    names = re.findall(r"Person\d{3} Listed", html)
    assert names[:3] == ["Person002 Listed", "Person001 Listed", "Person000 Listed"]
    asc = client.get("/customers/people/?sort=name").content.decode()
    assert re.findall(r"Person\d{3} Listed", asc)[:1] == ["Person000 Listed"]
    assert client.get("/customers/people/?sort=password&cols=nope").status_code == 200


def test_keyset_pages_next_and_prev(personas, monkeypatch):
    from relasi.customers.views import PersonViewSet

    monkeypatch.setattr(PersonViewSet, "page_size", 2)
    _make(personas.rep, 5)
    client = client_for(personas.rep)
    seen = []
    url = "/customers/people/?sort=name"
    pages = []
    while url:
        html = client.get(url).content.decode()
        names = re.findall(r"Person\d{3} Listed", html)
        pages.append(names)
        seen += names
        match = re.search(r'href="(\?[^"]*after=[^"]+)"', html)
        url = "/customers/people/" + match.group(1).replace("&amp;", "&") if match else None
    assert sorted(set(seen)) == [f"Person{i:03d} Listed" for i in range(5)]
    assert len(seen) == 5
    prev = re.search(r'href="(\?[^"]*before=[^"]+)"', html)
    assert prev
    back = client.get("/customers/people/" + prev.group(1).replace("&amp;", "&")).content.decode()
    assert re.findall(r"Person\d{3} Listed", back) == pages[-2]


def test_saved_view_roundtrip_and_sharing(personas):
    _make(personas.rep, 2)
    client = client_for(personas.rep)
    response = client.post(
        "/views/save/",
        {
            "name": "Mine",
            "model_label": "customers.person",
            "query": "sort=-name&cols=name",
            "next": "/customers/people/",
            "shared": "1",
        },
    )
    view = SavedView.objects.get(name="Mine")
    assert response.url == f"/customers/people/?view={view.pk}"
    assert view.shared is False  # only administrators share
    html = client.get(response.url).content.decode()
    assert re.findall(r"Person\d{3} Listed", html)[:1] == ["Person001 Listed"]
    # someone else neither sees nor deletes it
    other = client_for(personas.teammate)
    assert other.post(f"/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    admin = client_for(personas.admin)
    admin.post(
        "/views/save/",
        {
            "name": "Shared",
            "model_label": "customers.person",
            "query": "sort=name",
            "next": "/customers/people/",
            "shared": "1",
        },
    )
    shared = SavedView.objects.get(name="Shared")
    assert shared.shared is True
    assert b"Shared" in client_for(personas.rep).get("/customers/people/").content
    assert client_for(personas.rep).post(f"/views/{shared.pk}/delete/").status_code == 404
    assert client.post(f"/views/{view.pk}/delete/").status_code == 302


def test_saved_view_open_redirect_refused(personas):
    client = client_for(personas.rep)
    response = client.post(
        "/views/save/",
        {"name": "X", "model_label": "customers.person", "next": "https://evil.example/"},
    )
    assert response.url.startswith("/?view=")


def test_bulk_assign_owner_with_confirmation(personas):
    a = person(personas.rep, "Bulk", "One")
    b = person(personas.rep, "Bulk", "Two")
    hidden = person(personas.other_rep, "Bulk", "Hidden")
    client = client_for(personas.rep)
    form = client.post(
        "/customers/people/bulk/", {"action": "owner", "ids": [a.pk, b.pk, hidden.pk]}
    )
    assert form.status_code == 200  # asks for the new owner first
    response = client.post(
        "/customers/people/bulk/",
        {
            "action": "owner",
            "ids": [a.pk, b.pk, hidden.pk],
            "confirmed": "1",
            "owner": personas.teammate.pk,
        },
    )
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db(), hidden.refresh_from_db()
    assert a.owner == personas.teammate and b.owner == personas.teammate
    assert hidden.owner == personas.other_rep


def test_bulk_delete_needs_confirmation(personas):
    from relasi.customers.models import Customer

    c = person(personas.manager, "Bulk", "Delete")
    client = client_for(personas.manager)
    page = client.post("/customers/people/bulk/", {"action": "delete", "ids": [c.pk]})
    assert page.status_code == 200 and Customer.objects.filter(pk=c.pk).exists()
    client.post("/customers/people/bulk/", {"action": "delete", "ids": [c.pk], "confirmed": "1"})
    assert not Customer.objects.filter(pk=c.pk).exists()


@pytest.mark.parametrize("language", ["en", "id"])
def test_column_readers_answer_what_the_columns_do(personas, language):
    """RowCells reads a page's choice labels from a dict built once (Column.reader); the answer
    is Django's get_<field>_display, in the active language, for unknown stored values too."""
    from django.utils import translation

    from relasi.customers.models import Customer, Person
    from relasi.customers.views import OrganizationViewSet, PersonViewSet

    _make(personas.rep, 2)
    Customer.objects.filter(first_name="Person001").update(lifecycle_stage="not-a-stage")
    with translation.override(language):
        for viewset in (PersonViewSet, OrganizationViewSet):
            for column in viewset.columns:
                read = column.reader(Person)
                for obj in Person.objects.select_related("owner").prefetch_related("tags"):
                    assert read(obj) == column.value(obj), (column.name, obj.pk)
        stage = next(c for c in PersonViewSet.columns if c.name == "lifecycle_stage")
        assert stage.reader(Person) != stage.value  # the fast path is taken


def test_lists_load_only_what_their_columns_read(personas, monkeypatch):
    """for_columns() loads only the fields the chosen columns name; with deferred loading made
    an error, every column of the customer lists, each sort and a custom field still render."""
    from django.db import models

    from relasi.core.models import CustomField
    from relasi.customers.views import OrganizationViewSet, PersonViewSet

    CustomField.objects.create(
        model_label="customers.customer", key="shoe", label="Shoe size", field_type="text"
    )
    _make(personas.rep, 3)
    monkeypatch.setattr(models, "FETCH_PEERS", models.FETCH_RAISE)
    client = client_for(personas.admin)
    for url, viewset in (
        ("/customers/people/", PersonViewSet),
        ("/customers/organisations/", OrganizationViewSet),
    ):
        every = ",".join([c.name for c in viewset.columns] + ["cf_shoe"])
        for query in ["", f"?cols={every}"] + [
            f"?cols={every}&sort={c.name}" for c in viewset.columns if c.order
        ]:
            assert client.get(url + query).status_code == 200, url + query
    html = client.get("/customers/people/?cols=name,owner").content.decode()
    assert "Person000 Listed" in html
    # A column that does not say what it reads loads the whole row, as before.
    assert client.get("/customers/groups/").status_code == 200


def test_only_the_shown_fields_are_selected(personas):
    _make(personas.rep, 2)
    client = client_for(personas.rep)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/customers/people/?cols=name,city")
    page = next(q["sql"] for q in ctx.captured_queries if "LIMIT 51" in q["sql"])
    assert '"customers_customer"."city"' in page
    assert '"customers_customer"."background"' not in page


def test_filter_forms_use_their_own_fields_and_never_share_them(personas):
    """core.filters.FilterSet skips the form's deep copy of fields the filterset built for
    itself; two filtersets (two users' lists) still never share a field or its choices."""
    from django.http import QueryDict

    from relasi.customers.filtersets import CustomerFilterSet
    from relasi.customers.models import Customer, Group

    Group.objects.create(name="Rep's group", owner=personas.rep, team=personas.team_a)
    forms = []
    for user in (personas.rep, personas.other_rep):
        fs = CustomerFilterSet(QueryDict(""), queryset=Customer.objects.all())
        fs.limit_to_user(user)
        assert fs.form.fields["group"] is fs.filters["group"].field  # not copied again
        forms.append(fs.form)
    mine, theirs = (f.fields["group"] for f in forms)
    assert mine is not theirs and mine.widget is not theirs.widget
    assert [str(label) for _v, label in mine.choices][1:] == ["Rep's group"]
    assert [str(label) for _v, label in theirs.choices][1:] == []
    assert forms[0].fields["lifecycle_stage"] is not forms[1].fields["lifecycle_stage"]
