"""SECURITY.md checks 1 and 2: password rules and Argon2id storage with upgrade on login."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client

from relasi.accounts.models import User
from relasi.core.testing import PASSWORD

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def _rejected(password: str, user: User | None = None) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return True
    return False


def test_top_3000_common_passwords_all_rejected():
    common = sorted(CommonPasswordValidator().passwords)[:3000]
    assert len(common) == 3000
    accepted = [p for p in common if not _rejected(p)]
    assert accepted == []


@pytest.mark.parametrize(
    "password",
    [
        "relasi2024!!",
        "Relasi-Relasi",
        "mycrm12345678",
        "crm-password1",
        "PT XYZ 2024!!",
        "ptxyz123456!",
    ],
)
def test_context_words_rejected(password):
    assert _rejected(password)


def test_short_password_rejected_and_long_accepted():
    assert _rejected("x7#kq9!vb2m")  # 11 characters
    assert not _rejected("x7#kq9!vb2mz")  # 12 characters
    long = "purple elephant dances under the monsoon rain near " + "jakarta bay"
    long = (long + " x" * 40)[:64]
    assert len(long) == 64
    assert not _rejected(long)


def test_no_composition_rules():
    assert not _rejected("all lower case words only here")


def test_password_too_long_rejected():
    assert _rejected("a quiet river " * 20)


@pytest.mark.django_db
def test_similar_to_user_attributes_rejected():
    user = User(username="wibisono.hartono", email="wibisono.hartono@example.test")
    assert _rejected("wibisono.hartono", user)


@pytest.mark.django_db
def test_login_stores_argon2id(settings, personas):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = personas.rep
    user.set_password(PASSWORD)
    user.save()
    assert user.password.startswith("argon2$argon2id$")
    response = Client().post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_old_pbkdf2_hash_upgraded_on_login(settings, personas):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = personas.rep
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    response = Client().post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_login_by_email_upgrades_md5_hash(settings, personas):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    User.objects.filter(pk=personas.rep.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    response = Client().post(
        "/accounts/login/", {"username": "rep@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=personas.rep.pk).password.startswith("argon2$argon2id$")


def test_company_name_from_settings_rejected(settings):
    settings.COMPANY_NAME = "Toko Makmur"
    assert _rejected("tokomakmur2025")
    assert not _rejected("a long walk along the beach with toko makmur friends")


def test_passphrase_containing_context_word_accepted():
    assert not _rejected("my favourite crm is the one with purple elephants")
