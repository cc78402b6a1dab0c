"""Field-level encryption (relasi/core/crypto.py): keys, the sealed field and its blind index,
reveal and its read log, the audit trail, key rotation with two real keys, the deploy check."""

import io
import json
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import FieldError, PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import Http404
from django.test import override_settings

from relasi.core import access, checks, crypto
from relasi.core.models import AuditEvent, SensitiveRead
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

NIK = "3171014508900007"  # DKI Jakarta, born 5 Aug 1990 (a woman: day + 40)
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_column(pk: int, column: str) -> str:
    # Constant SQL, the id a bound parameter: what the database really holds.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM customers_customer WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


# --- keys -----------------------------------------------------------------------------------------
def test_roundtrip_and_tokens_are_randomised():
    a, b = crypto.encrypt(NIK), crypto.encrypt(NIK)
    assert a != b and NIK not in a and crypto.looks_like_token(a)
    assert crypto.decrypt(a) == crypto.decrypt(b) == NIK
    assert not crypto.looks_like_token(NIK) and not crypto.looks_like_token("gAAAAAshort")


@override_settings(RELASI_FIELD_KEYS=[])
def test_derived_key_is_deterministic_per_secret_key():
    assert crypto.uses_derived_key()
    key = crypto.field_keys()
    assert crypto.field_keys() == key
    Fernet(key[0])  # a valid Fernet key
    token = crypto.encrypt(NIK)
    with override_settings(SECRET_KEY="another secret key " * 3):
        assert crypto.field_keys() != key
        with pytest.raises(crypto.Unreadable):
            crypto.decrypt(token)


@override_settings(RELASI_FIELD_KEYS=[NEW, OLD])
def test_configured_keys_current_first():
    assert not crypto.uses_derived_key() and crypto.field_keys() == (NEW, OLD)
    assert Fernet(NEW).decrypt(crypto.encrypt(NIK).encode()).decode() == NIK


def test_key_checks():
    with override_settings(RELASI_FIELD_KEYS=["not-a-key"]):
        assert [e.id for e in checks.field_keys_valid()] == ["relasi.E005"]
    with override_settings(RELASI_FIELD_KEYS=[NEW]):
        assert checks.field_keys_valid() == [] and checks.field_keys_for_production() == []
    with override_settings(RELASI_FIELD_KEYS=[]):
        assert [w.id for w in checks.field_keys_for_production()] == ["relasi.W001"]


def test_check_deploy_warns_about_the_derived_key(tmp_path):
    from relasi.core.tests.test_headers_deploy import _production_env

    env = _production_env(tmp_path)
    env.pop("RELASI_FIELD_KEYS")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "relasi.W001" in result.stdout + result.stderr


# --- the field ------------------------------------------------------------------------------------
def test_database_holds_only_the_token(personas):
    c = person(personas.admin, national_id=NIK)
    stored = raw_column(c.pk, "national_id")
    assert NIK not in stored and crypto.looks_like_token(stored)
    assert crypto.decrypt(stored) == NIK
    loaded = Customer.objects.get(pk=c.pk)
    assert isinstance(loaded.national_id, crypto.Sealed) and NIK not in loaded.national_id
    index = raw_column(c.pk, "national_id_index")
    assert len(index) == 64 and NIK not in index


def test_empty_stays_empty(personas):
    c = person(personas.admin)
    assert raw_column(c.pk, "national_id") == "" and raw_column(c.pk, "national_id_index") == ""


def test_every_write_path_seals(personas):
    c = person(personas.admin)
    Customer.objects.filter(pk=c.pk).update(national_id=NIK)  # a bulk path: no descriptor
    assert NIK not in raw_column(c.pk, "national_id")
    obj = Customer.objects.get(pk=c.pk)
    obj.national_id = "3171 0145 0890 0007"  # typed with spaces: normalised, then sealed
    obj.save(update_fields=["national_id"])  # the blind index follows (SealedFieldsMixin)
    assert Customer.objects.filter(crypto.lookup_q(Customer, "national_id", NIK)).get() == obj
    assert crypto.decrypt(raw_column(c.pk, "national_id")) == NIK


def test_blind_index_lookup_and_separation(personas):
    a = person(personas.admin, "Ani", "A", national_id=NIK)
    person(personas.admin, "Budi", "B", national_id="3273010101900001")
    assert list(Customer.objects.filter(crypto.lookup_q(Customer, "national_id", NIK))) == [a]
    assert not Customer.objects.filter(crypto.lookup_q(Customer, "national_id", "")).exists()
    # The same digits in another field index differently (the purpose is part of the HMAC).
    assert crypto.blind_index("customers.customer.national_id", "1234567890") != (
        crypto.blind_index("customers.customer.bank_account", "1234567890")
    )
    with pytest.raises(FieldError):  # a lookup that could only silently match nothing
        list(Customer.objects.filter(national_id__icontains="3171"))


def test_registry():
    keys = {e.key for e in crypto.registered()}
    assert {"customers.customer.national_id", "customers.customer.bank_account"} <= keys
    assert crypto.entry_for(Customer, "national_id").label
    with pytest.raises(TypeError):
        crypto.register(Customer, "name", "Name")


# --- reading ----------------------------------------------------------------------------------
def test_reveal_checks_permission_and_logs(personas):
    c = person(personas.admin, national_id=NIK)
    c = Customer.objects.get(pk=c.pk)
    assert crypto.reveal(personas.admin, c, "national_id", "api") == NIK
    row = SensitiveRead.objects.get()
    assert (row.user, row.object_id, row.field_name, row.channel) == (
        personas.admin,
        str(c.pk),
        "national_id",
        "api",
    )
    with pytest.raises(PermissionDenied):
        crypto.reveal(personas.manager, c, "national_id")
    assert SensitiveRead.objects.count() == 1
    with pytest.raises(PermissionError):
        SensitiveRead.objects.all().delete()


def test_reveal_outside_visibility_is_404(personas):
    from relasi.accounts.models import Role

    Role.objects.filter(slug="sales").update(may_view_sensitive=True)
    users = type(personas.rep).objects
    rep, other = users.get(pk=personas.rep.pk), users.get(pk=personas.other_rep.pk)
    c = person(rep, national_id=NIK)
    with pytest.raises(Http404):
        crypto.reveal(other, c, "national_id")
    assert crypto.reveal(rep, c, "national_id") == NIK


def test_masked(personas):
    c = person(personas.admin, national_id=NIK, bank_account="0123456789")
    assert crypto.masked(personas.admin, c, "national_id") == "•••• •••• •••• 0007"
    assert crypto.masked(personas.admin, c, "bank_account") == "•••• •••• 6789"
    assert crypto.masked(personas.rep, c, "national_id") is None
    assert crypto.masked(personas.admin, person(personas.admin, "X"), "national_id") == ""
    assert crypto.mask_text("123") == "••••"
    assert SensitiveRead.objects.count() == 0  # masks are not reads


def test_registered_check_wins_over_module_reading(personas):
    from relasi.accounts.models import Role, User

    assert access.may(personas.admin, "privacy.sensitive")
    assert Role.objects.get(slug="dpo").may_view_sensitive
    # A grid entry named like the check grants nothing: the role's flag decides.
    Role.objects.filter(slug="manager").update(
        permissions={"privacy": ["view", "change", "sensitive"]}
    )
    manager = User.objects.get(pk=personas.manager.pk)
    assert manager.has_module_perm("privacy", "sensitive")
    assert not access.may(manager, "privacy.sensitive")
    for user in (personas.rep, personas.readonly, personas.teammate):
        assert not access.may(user, "privacy.sensitive")


def test_audit_trail_never_holds_value_or_token(personas):
    from relasi.customers import actions

    c = person(personas.admin, national_id=NIK, bank_account="0123456789")
    token = raw_column(c.pk, "national_id")
    actions.update_customer(personas.admin, c, {"national_id": "3273010101900001"})
    text = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    for secret in (NIK, "3273010101900001", "0123456789", token, token[:40]):
        assert secret not in text
    update = AuditEvent.objects.filter(action="update").latest("pk").changes
    before, after = update["national_id"]
    assert before.startswith("sealed:") and after.startswith("sealed:") and before != after
    assert "national_id_index" not in update


# --- rotation ---------------------------------------------------------------------------------
def test_rotation_with_two_real_keys(personas):
    with override_settings(RELASI_FIELD_KEYS=[OLD]):
        ids = [
            person(personas.admin, f"P{i}", "X", national_id=f"31710101019000{i:02d}").pk
            for i in range(1, 6)
        ]
        old_index = raw_column(ids[0], "national_id_index")
    with override_settings(RELASI_FIELD_KEYS=[NEW, OLD]):
        c = Customer.objects.get(pk=ids[0])
        assert crypto.reveal(personas.admin, c, "national_id") == "3171010101900001"
        # Found before rotation although its index was written under the old key.
        assert Customer.objects.filter(
            crypto.lookup_q(Customer, "national_id", "3171010101900001")
        ).exists()
        out = io.StringIO()
        call_command("rotate_field_keys", "--batch-size", "2", stdout=out, stderr=io.StringIO())
        assert "customers.customer.national_id: 5 rotated, 0 already current, 0 unreadable" in (
            out.getvalue()
        )
        again = io.StringIO()
        call_command("rotate_field_keys", stdout=again)
        assert "national_id: 0 rotated, 5 already current" in again.getvalue()
        assert raw_column(ids[0], "national_id_index") != old_index
    with override_settings(RELASI_FIELD_KEYS=[NEW]):  # the old key retired
        for i, pk in enumerate(ids, start=1):
            token = raw_column(pk, "national_id")
            assert Fernet(NEW).decrypt(token.encode()).decode() == f"31710101019000{i:02d}"
        c = Customer.objects.get(pk=ids[0])
        assert crypto.reveal(personas.admin, c, "national_id") == "3171010101900001"
        assert (
            Customer.objects.filter(crypto.lookup_q(Customer, "national_id", "3171010101900001"))
            .get()
            .pk
            == ids[0]
        )
    with override_settings(RELASI_FIELD_KEYS=[OLD]), pytest.raises(crypto.Unreadable):
        crypto.decrypt(raw_column(ids[0], "national_id"))


def test_rotation_reports_unreadable_values(personas):
    with override_settings(RELASI_FIELD_KEYS=[OLD]):
        person(personas.admin, national_id=NIK)
    with override_settings(RELASI_FIELD_KEYS=[NEW]), pytest.raises(CommandError, match="1 values"):
        call_command("rotate_field_keys", stdout=io.StringIO())


def test_key_helpers_of_the_command():
    out = io.StringIO()
    call_command("rotate_field_keys", "--generate-key", stdout=out)
    Fernet(out.getvalue().strip())
    with override_settings(RELASI_FIELD_KEYS=[]):
        out = io.StringIO()
        call_command("rotate_field_keys", "--show-derived-key", stdout=out)
        assert out.getvalue().strip() == crypto.field_keys()[0]
