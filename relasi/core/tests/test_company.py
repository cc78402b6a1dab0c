"""Settings → Company: administrators edit the letterhead (audited, optimistic locking);
everyone else is refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from relasi.core.models import AuditEvent, CompanyProfile

pytestmark = pytest.mark.django_db
URL = "/settings/company/"


def form(version, **extra):
    return {
        "version": version,
        "name": "PT Maju Bersama",
        "address": "Jl. Pemuda 1, Surabaya",
        "tax_id": "03.456.789.0-606.000",
        "bank_name": "BNI",
        "bank_account_number": "0123456789",
        "terms": "Valid 30 days.",
        "terms_id": "Berlaku 30 hari.",
        **extra,
    }


def logo():
    buf = io.BytesIO()
    Image.new("RGB", (30, 30), "red").save(buf, "JPEG")
    return SimpleUploadedFile("logo.jpg", buf.getvalue(), content_type="image/jpeg")


def test_admin_edits_the_company_details_with_a_logo(personas, as_user):
    client = as_user(personas.admin)
    page = client.get(URL)
    assert page.status_code == 200 and 'name="tax_id"' in page.content.decode()
    version = CompanyProfile.current().version
    response = client.post(URL, form(version, logo_file=logo()))
    assert response.status_code == 302
    profile = CompanyProfile.current()
    assert profile.name == "PT Maju Bersama" and profile.tax_id == "03.456.789.0-606.000"
    assert profile.logo_type == "image/jpeg" and bytes(profile.logo).startswith(b"\xff\xd8")
    assert AuditEvent.objects.filter(object_repr__icontains="PT Maju").exists()
    assert 'src="data:image/jpeg;base64,' in client.get(URL).content.decode()
    client.post(URL, form(profile.version, remove_logo="on"))
    assert CompanyProfile.current().logo_type == ""


def test_stale_version_is_refused(personas, as_user):
    client = as_user(personas.admin)
    stale = CompanyProfile.current().version
    client.post(URL, form(stale))
    response = client.post(URL, form(stale, name="Overwritten"), follow=True)
    assert CompanyProfile.current().name == "PT Maju Bersama"
    assert "Someone else changed" in response.content.decode()


def test_a_bad_logo_is_reported_and_nothing_changes(personas, as_user):
    client = as_user(personas.admin)
    bad = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(URL, form(CompanyProfile.current().version, logo_file=bad))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert CompanyProfile.current().name != "PT Maju Bersama"


def test_only_administrators_change_it(personas, as_user):
    for user in (personas.rep, personas.readonly):
        assert as_user(user).get(URL).status_code == 403
        assert as_user(user).post(URL, form(1)).status_code == 403
    # A role that may view the administration reads the details but cannot save them.
    manager = as_user(personas.manager)
    if personas.manager.has_module_perm("admin", "view"):
        page = manager.get(URL).content.decode()
        assert "<fieldset disabled>" in page and 'type="submit">Save' not in page
    assert manager.post(URL, form(1)).status_code == 403
    assert CompanyProfile.current().name != "PT Maju Bersama"
    assert as_user(None).get(URL).status_code in (302, 403)
