import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relasi.customers.models import Customer
from relasi.integrations.models import ImportJob, SavedMapping
from relasi.integrations.tests.helpers import HEADER, csv_bytes, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_wizard_end_to_end(personas, as_user):
    client = as_user(personas.admin)
    assert client.get("/integrations/imports/new/").status_code == 200
    data = csv_bytes(
        [["Nama", "Catatan", *HEADER[1:]], *[[r[0], "x", *r[1:]] for r in people(3)]], delimiter=";"
    )
    response = client.post(
        "/integrations/imports/new/",
        {"target": "people", "file": SimpleUploadedFile("c.csv", data)},
    )
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'id="preview"' in html and "Orang 0" in html
    form = {f"col_{i}": k for i, k in job.mapping.items()}
    form.update(policy="skip", save_as="Dari toko", step="dry_run")
    assert client.post(f"/integrations/imports/{job.pk}/", form).status_code == 302
    job.refresh_from_db()
    assert job.status == "checked" and Customer.objects.count() == 0
    assert SavedMapping.objects.get(name="Dari toko").mapping["Surel"] == "emails"
    html = client.get(f"/integrations/imports/{job.pk}/").content.decode()
    assert "Dry run" in html
    form["step"] = "run"
    form.pop("save_as")
    client.post(f"/integrations/imports/{job.pk}/", form)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 3)
    html = client.get(
        f"/integrations/imports/{job.pk}/",
        headers={"HX-Request": "true"},
        query_params={"part": "status"},
    ).content.decode()
    assert 'id="import-counts"' in html and "Undo import" in html
    assert "c.csv" in client.get("/integrations/imports/").content.decode()
    # another team's manager cannot open it
    assert as_user(personas.other_rep).get(f"/integrations/imports/{job.pk}/").status_code == 403


def test_saved_mapping_loads_by_header(personas, as_user):
    client = as_user(personas.admin)
    SavedMapping.objects.create(
        owner=personas.admin,
        target="people",
        name="m",
        mapping={"Kolom X": "name", "Kolom Y": "emails"},
    )
    data = csv_bytes([["Kolom Y", "Kolom X"], ["a@example.test", "Budi"]])
    client.post(
        "/integrations/imports/new/",
        {"target": "people", "file": SimpleUploadedFile("c.csv", data)},
    )
    job = ImportJob.objects.get()
    client.post(f"/integrations/imports/{job.pk}/", {"load_mapping": SavedMapping.objects.get().pk})
    job.refresh_from_db()
    assert job.mapping == {"0": "emails", "1": "name"}


def test_api_flow(personas, as_user):
    client = as_user(personas.admin)
    data = csv_bytes([HEADER, *people(4), ["", "", "", "", "", "", "", "x"]])
    r = client.post(
        "/api/v1/integrations/imports",
        {"target": "people", "file": SimpleUploadedFile("c.csv", data)},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert body["mapping"]["1"] == "emails" and body["encoding"] == "utf-8"
    r = client.put(
        f"/api/v1/integrations/imports/{pk}/mapping",
        json.dumps({"mapping": body["mapping"], "policy": "update"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["policy"] == "update"
    r = client.put(
        f"/api/v1/integrations/imports/{pk}/mapping",
        json.dumps({"mapping": {"0": "nope"}}),
        content_type="application/json",
    )
    assert r.status_code == 400
    r = client.post(f"/api/v1/integrations/imports/{pk}/dry-run")
    assert r.status_code == 202 and Customer.objects.count() == 0
    assert client.get(f"/api/v1/integrations/imports/{pk}").json()["dry_run_result"]["created"] == 4
    assert client.post(f"/api/v1/integrations/imports/{pk}/start").status_code == 202
    status = client.get(f"/api/v1/integrations/imports/{pk}").json()
    assert (status["status"], status["created"], status["rejected"], status["percent"]) == (
        "done",
        4,
        1,
        100,
    )
    errors = client.get(f"/api/v1/integrations/imports/{pk}/errors").json()
    assert errors[0]["line"] == 6
    assert client.post(f"/api/v1/integrations/imports/{pk}/undo").json()["status"] == "undone"
    assert Customer.objects.count() == 0


def test_api_permissions(personas, as_user):
    data = csv_bytes([HEADER, *people(1)])
    r = as_user(personas.rep).post(
        "/api/v1/integrations/imports",
        {"target": "people", "file": SimpleUploadedFile("c.csv", data)},
    )
    assert r.status_code == 403
    r = as_user(personas.admin).post(
        "/api/v1/integrations/imports",
        {"target": "people", "file": SimpleUploadedFile("c.exe", b"MZ")},
    )
    assert r.status_code == 400
    pk = (
        as_user(personas.admin)
        .post(
            "/api/v1/integrations/imports",
            {"target": "people", "file": SimpleUploadedFile("c.csv", data)},
        )
        .json()["id"]
    )
    assert as_user(personas.rep).get(f"/api/v1/integrations/imports/{pk}").status_code == 403
    assert as_user(personas.manager).get(f"/api/v1/integrations/imports/{pk}").status_code == 404
