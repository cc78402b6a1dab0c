"""NIK and bank details on customers: validation in both languages, who may see and set them on
the 360° page, the edit form, the API, exports, search, the read log, and that neither the
database nor the audit trail ever holds the plaintext."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from relasi.accounts import actions as account_actions
from relasi.accounts.models import Role, User
from relasi.core import crypto
from relasi.core.models import AuditEvent, SensitiveRead
from relasi.core.testing import client_for
from relasi.customers import actions, search
from relasi.customers.models import Customer
from relasi.customers.tests.factories import organization, person

pytestmark = pytest.mark.django_db

NIK = "3171014508900007"
ACCOUNT = "0123456789"


@pytest.fixture
def customer(personas):
    # Set by an administrator; owned by the sales rep (who may not see them).
    return actions.create_customer(
        personas.admin,
        "person",
        {
            "first_name": "Dewi",
            "last_name": "Lestari",
            "owner": personas.rep,
            "national_id": NIK,
            "bank_name": "BCA",
            "bank_account": ACCOUNT,
        },
    )


def fresh(user):
    return User.objects.get(pk=user.pk)  # the role as stored now, not as cached


def token_client(user, scopes):
    _t, raw = account_actions.issue_token(user, "test", scopes)
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- validation -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message_en", "message_id"),
    [
        ("31710145089", "exactly 16 digits", "tepat 16 digit"),
        ("9971014508900007", "not a province code", "bukan kode provinsi"),
        ("3171019913900007", "not one", "bukan tanggal"),
        ("3171014508900000", "does not end in 0000", "tidak berakhir dengan 0000"),
    ],
)
def test_nik_validation_in_both_languages(personas, value, message_en, message_id):
    from django.core.exceptions import ValidationError

    for language, message in (("en", message_en), ("id", message_id)):
        with translation.override(language), pytest.raises(ValidationError) as exc:
            person(personas.admin, national_id=value)
        assert message in str(exc.value.message_dict["national_id"])


def test_nik_accepts_spaces_and_women_dates(personas):
    c = person(personas.admin, national_id="3171 0145 0890 0007")
    assert crypto.decrypt(Customer.objects.get(pk=c.pk).national_id) == NIK


def test_organisations_have_no_nik_but_may_have_a_bank_account(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        organization(personas.admin, national_id=NIK)
    org = organization(personas.admin, bank_account=ACCOUNT)
    assert crypto.decrypt(Customer.objects.get(pk=org.pk).bank_account) == ACCOUNT


def test_only_allowed_roles_may_set_them(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        person(personas.rep, national_id=NIK)
    c = person(personas.rep)
    with pytest.raises(PermissionDenied):
        actions.update_customer(personas.manager, c, {"bank_account": ACCOUNT})


# --- the database and the audit trail -----------------------------------------------------------
def test_database_and_history_never_hold_the_plaintext(personas, customer):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id, bank_account, search_text FROM customers_customer WHERE id = %s",
            [customer.pk],
        )
        row = cursor.fetchone()
    assert all(NIK not in str(v) and ACCOUNT not in str(v) for v in row)
    actions.update_customer(personas.admin, customer, {"national_id": "3273010101900001"})
    trail = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert NIK not in trail and ACCOUNT not in trail and "3273010101900001" not in trail
    # Customers have no django-simple-history table: the audit trail is their history.
    assert not any(
        "historical" in t and "customer" in t for t in connection.introspection.table_names()
    )


def test_history_panel_says_encrypted(personas, customer):
    actions.update_customer(personas.admin, customer, {"national_id": "3273010101900001"})
    page = client_for(personas.admin).get(customer.get_absolute_url()).content.decode()
    assert "(encrypted value)" in page and "3273010101900001" not in page


def test_resaving_the_same_value_writes_nothing(personas, customer):
    token = Customer.objects.get(pk=customer.pk).national_id
    events = AuditEvent.objects.count()
    actions.update_customer(personas.admin, customer, {"national_id": NIK})
    assert Customer.objects.get(pk=customer.pk).national_id == token
    assert AuditEvent.objects.count() == events


# --- the 360° page ---------------------------------------------------------------------------------
def test_detail_page_masks_for_allowed_and_hides_for_others(personas, customer):
    url = customer.get_absolute_url()
    admin_page = client_for(personas.admin).get(url).content.decode()
    assert "•••• •••• •••• 0007" in admin_page and "•••• •••• 6789" in admin_page
    assert NIK not in admin_page and ACCOUNT not in admin_page and "BCA" in admin_page
    reveal = reverse("customers:reveal_sensitive", args=[customer.pk, "national_id"])
    assert reveal in admin_page
    rep_page = client_for(personas.rep).get(url).content.decode()
    assert "0007" not in rep_page and "hidden" in rep_page and reveal not in rep_page
    assert SensitiveRead.objects.count() == 0


def test_show_button_reveals_and_logs(personas, customer):
    url = reverse("customers:reveal_sensitive", args=[customer.pk, "national_id"])
    admin = client_for(personas.admin)
    response = admin.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and NIK in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    read = SensitiveRead.objects.get()
    assert (read.user, read.field_name, read.channel, read.object_id) == (
        personas.admin,
        "national_id",
        "ui",
        str(customer.pk),
    )
    assert admin.get(url).status_code == 405  # reading is a POST
    assert client_for(personas.rep).post(url).status_code == 403  # the owner, but not allowed
    assert (
        client_for(personas.admin)
        .post(reverse("customers:reveal_sensitive", args=[customer.pk, "name"]))
        .status_code
        == 404
    )
    assert SensitiveRead.objects.count() == 1


def test_show_is_404_outside_visibility(personas, customer):
    Role.objects.filter(slug="sales").update(may_view_sensitive=True)
    url = reverse("customers:reveal_sensitive", args=[customer.pk, "bank_account"])
    assert client_for(fresh(personas.other_rep)).post(url).status_code == 404
    response = client_for(fresh(personas.rep)).post(url)
    assert response.status_code == 200 and ACCOUNT in response.content.decode()


# --- the edit form -----------------------------------------------------------------------------
def _form_data(c, **extra):
    return {
        "first_name": c.first_name,
        "last_name": c.last_name,
        "customer_type": c.customer_type,
        "lifecycle_stage": c.lifecycle_stage,
        "preferred_language": c.preferred_language,
        "owner": c.owner_id,
        "version": Customer.objects.get(pk=c.pk).version,
        **extra,
    }


def test_edit_form_sets_keeps_and_clears(personas):
    c = person(personas.admin, "Rina", "Wati")
    edit = reverse("customers:person_edit", args=[c.pk])
    admin = client_for(personas.admin)
    form = admin.get(edit).content.decode()
    assert 'name="national_id"' in form and 'name="bank_account"' in form
    r = admin.post(edit, _form_data(c, national_id=NIK, bank_name="Mandiri", bank_account=ACCOUNT))
    assert r.status_code == 302, r.content.decode()[:2000]
    stored = Customer.objects.get(pk=c.pk)
    assert crypto.decrypt(stored.national_id) == NIK and stored.bank_name == "Mandiri"
    form = admin.get(edit).content.decode()
    assert NIK not in form and "0007" in form and "clear_national_id" in form  # masked hint only
    r = admin.post(edit, _form_data(c, national_id="", bank_name="Mandiri"))
    assert r.status_code == 302 and Customer.objects.get(pk=c.pk).national_id == stored.national_id
    r = admin.post(edit, _form_data(c, clear_national_id="on", bank_name="Mandiri"))
    assert r.status_code == 302 and Customer.objects.get(pk=c.pk).national_id == ""
    bad = admin.post(edit, _form_data(c, national_id="12345"))
    assert bad.status_code == 400 and "16 digits" in bad.content.decode()


def test_edit_form_of_others_has_no_sensitive_fields(personas, customer):
    edit = reverse("customers:person_edit", args=[customer.pk])
    rep = client_for(personas.rep)
    assert 'name="national_id"' not in rep.get(edit).content.decode()
    token = Customer.objects.get(pk=customer.pk).national_id
    r = rep.post(
        edit, _form_data(customer, national_id="3273010101900001", clear_bank_account="on")
    )
    assert r.status_code == 302
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.national_id == token and crypto.decrypt(stored.bank_account) == ACCOUNT


# --- the read log ------------------------------------------------------------------------------
def test_read_log_page(personas, customer):
    other = person(personas.admin, "Other", "Person", national_id="3273010101900001")
    crypto.reveal(personas.admin, Customer.objects.get(pk=customer.pk), "national_id", "ui")
    crypto.reveal(personas.admin, Customer.objects.get(pk=other.pk), "national_id", "api")
    url = reverse("core:sensitive_reads")
    admin = client_for(personas.admin)
    page = admin.get(url).content.decode()
    assert "Dewi Lestari" in page and "Other Person" in page and NIK not in page
    page = admin.get(url, {"record": str(customer.pk)}).content.decode()
    assert "Dewi Lestari" in page and "Other Person" not in page
    page = admin.get(url, {"channel": "api", "user": "adm"}).content.decode()
    assert "Other Person" in page and "Dewi Lestari" not in page
    assert admin.get(url, {"user": "nobody"}).content.decode().count("Lestari") == 0
    assert client_for(personas.rep).get(url).status_code == 403
    assert client_for(personas.readonly).get(url).status_code == 403
    from relasi.core.context_processors import nav_for

    urls = lambda u: [i["url"] for s in nav_for(u) for i in s["items"]]  # noqa: E731
    assert url in urls(personas.admin) and url not in urls(personas.rep)


def test_role_editor_grants_the_flag(personas):
    role = Role.objects.get(slug="sales")
    edit = reverse("accounts:role_edit", args=[role.pk])
    admin = client_for(personas.admin)
    assert 'name="may_view_sensitive"' in admin.get(edit).content.decode()
    data = {
        "name": role.name,
        "slug": role.slug,
        "visibility": role.visibility,
        "max_discount_percent": "10",
        "may_view_sensitive": "on",
        "perm__customers__view": "on",
        "perm__customers__change": "on",
    }
    r = admin.post(edit, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Role.objects.get(pk=role.pk).may_view_sensitive
    assert crypto.may_reveal(fresh(personas.rep))


# --- API ---------------------------------------------------------------------------------------
def test_api_detail_is_masked(personas, customer):
    body = (
        token_client(personas.admin, {"*": "write"})
        .get(f"/api/v1/customers/people/{customer.pk}")
        .json()
    )
    assert body["national_id_masked"] == "•••• •••• •••• 0007"
    assert body["bank_account_masked"] == "•••• •••• 6789" and body["bank_name"] == "BCA"
    assert NIK not in json.dumps(body) and ACCOUNT not in json.dumps(body)
    body = (
        token_client(personas.rep, {"customers": "read"})
        .get(f"/api/v1/customers/people/{customer.pk}")
        .json()
    )
    assert body["national_id_masked"] == "hidden" and "0007" not in json.dumps(body)


def test_api_sensitive_endpoint(personas, customer):
    url = f"/api/v1/customers/{customer.pk}/sensitive"
    r = token_client(personas.admin, {"customers": "read", "privacy": "read"}).get(url)
    assert r.status_code == 200
    assert r.json() == {"national_id": NIK, "bank_name": "BCA", "bank_account": ACCOUNT}
    assert list(SensitiveRead.objects.values_list("field_name", "channel")) == [
        ("bank_account", "api"),
        ("national_id", "api"),
    ]
    # A token without the privacy scope, a role without the flag: 403; nothing logged.
    assert token_client(personas.admin, {"customers": "read"}).get(url).status_code == 403
    assert token_client(personas.rep, {"*": "write"}).get(url).status_code == 403
    Role.objects.filter(slug="sales").update(may_view_sensitive=True)
    hidden = token_client(fresh(personas.other_rep), {"*": "write"}).get(url)
    assert hidden.status_code == 404
    assert SensitiveRead.objects.count() == 2


def test_api_sets_values_for_allowed_users_only(personas):
    c = person(personas.rep, "Api", "Person")
    url = f"/api/v1/customers/people/{c.pk}"
    version = Customer.objects.get(pk=c.pk).version
    rep = token_client(personas.rep, {"*": "write"})
    r = rep.patch(url, {"national_id": NIK, "version": version}, content_type="application/json")
    assert r.status_code == 403 and Customer.objects.get(pk=c.pk).national_id == ""
    admin = token_client(personas.admin, {"*": "write"})
    bad = admin.patch(
        url, {"national_id": "123", "version": version}, content_type="application/json"
    )
    assert bad.status_code == 422 and "national_id" in bad.content.decode()
    r = admin.patch(
        url,
        {"national_id": NIK, "bank_account": ACCOUNT, "bank_name": "BRI", "version": version},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["national_id_masked"].endswith("0007")
    stored = Customer.objects.get(pk=c.pk)
    assert crypto.decrypt(stored.national_id) == NIK and stored.bank_name == "BRI"
    scoped = token_client(personas.admin, {"customers": "write"})
    r = scoped.patch(
        url,
        {"bank_account": "99887766", "version": stored.version},
        content_type="application/json",
    )
    assert r.status_code == 403  # setting them needs the privacy scope as well


# --- exports and search -------------------------------------------------------------------------
def test_exports_hold_no_plaintext(personas, customer):
    admin = client_for(personas.admin)
    url = reverse("customers:person_export")
    csv = b"".join(admin.get(url).streaming_content).decode()
    assert "Dewi Lestari" in csv and NIK not in csv and ACCOUNT not in csv
    xlsx = admin.get(url, {"format": "xlsx"})
    data = b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        text = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    assert "Dewi Lestari" in text and NIK not in text and ACCOUNT not in text


def test_search_index_has_no_nik_but_exact_lookup_finds_it(personas, customer):
    assert NIK not in Customer.objects.get(pk=customer.pk).search_text
    hits = search.search_customers(personas.admin, NIK)
    assert [h.id for h in hits] == [customer.pk] and hits[0].tier == 0
    assert search.search_customers(personas.admin, "3171 0145 0890 0007")[0].id == customer.pk
    assert search.search_customers(personas.rep, NIK) == []  # the owner, but may not see NIKs
    assert search.search_customers(personas.admin, "3273010101900001") == []
    people = client_for(personas.admin).get(reverse("customers:person_list"), {"q": NIK})
    assert "Dewi Lestari" in people.content.decode()
    found = client_for(personas.admin).get(reverse("core:search"), {"q": NIK})
    assert "Dewi Lestari" in found.content.decode()
