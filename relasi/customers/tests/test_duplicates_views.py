"""Did-you-mean on create (UI and API), the review queue, merge/undo pages, the scan job, bulk
merge above the threshold, the duplicates API and who may see/merge what."""

import pytest

from relasi.accounts import actions as account_actions
from relasi.core.models import Job
from relasi.customers.models import (
    Customer,
    DuplicateCandidate,
    DuplicateSettings,
    DuplicateStatus,
    MergeRecord,
)
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

FORM = {
    "customer_type": "b2c",
    "lifecycle_stage": "prospect",
    "preferred_language": "id",
}


@pytest.fixture
def api(personas):
    from django.test import Client

    def make(user, scopes=None):
        _t, raw = account_actions.issue_token(user, "test", scopes or {"customers": "write"})
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def budi(personas):
    return person(personas.rep, "Budi", "Santoso", phones=["081234567890"], emails=["budi@x.test"])


def test_did_you_mean_in_the_form(personas, as_user, budi):
    client = as_user(personas.rep)
    data = {**FORM, "first_name": "Boedi", "last_name": "Santoso", "phones_text": "0812-3456-7890"}
    response = client.post("/customers/people/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "did-you-mean" in page and budi.get_absolute_url() in page and "create_anyway" in page
    assert Customer.objects.filter(last_name="Santoso").count() == 1
    response = client.post("/customers/people/new/", {**data, "create_anyway": "on"})
    assert response.status_code == 302
    assert Customer.objects.filter(last_name="Santoso").count() == 2


def test_did_you_mean_hides_records_the_user_cannot_see(personas, as_user, budi):
    client = as_user(personas.other_rep)
    data = {**FORM, "first_name": "Boedi", "last_name": "Santoso", "phones_text": "0812-3456-7890"}
    assert client.post("/customers/people/new/", data).status_code == 302


def test_api_create_returns_409_unless_forced(personas, api, budi):
    client = api(personas.rep)
    body = {"first_name": "Budi", "last_name": "Santosa", "emails": [{"email": "BUDI@x.test"}]}
    r = client.post("/api/v1/customers/people", body, content_type="application/json")
    assert r.status_code == 409, r.content
    candidates = r.json()["error"]["details"]["candidates"]
    assert candidates[0]["id"] == budi.pk and candidates[0]["reasons"]
    r = client.post("/api/v1/customers/people?force=true", body, content_type="application/json")
    assert r.status_code == 201
    r = client.post(
        "/api/v1/customers/people",
        {**body, "emails": [{"email": "b.santosa@x.test"}], "force": True},
        content_type="application/json",
    )
    assert r.status_code == 201


def _pair(personas):
    a = person(personas.rep, "Rizky", "Pratama", phones=["081211112222"], emails=[])
    b = person(personas.rep, "Rizki", "Pratama", phones=["0812-1111-2222"], emails=[])
    return a, b


def test_scan_job_fills_the_queue_and_reaches_100(
    personas, as_user, django_capture_on_commit_callbacks
):
    a, b = _pair(personas)
    client = as_user(personas.rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/customers/duplicates/scan/")
    assert response.status_code == 302
    job = Job.objects.get(kind="duplicate_scan")
    assert job.status == "succeeded" and job.percent == 100, job.error
    cand = DuplicateCandidate.objects.get()
    assert (cand.customer_a_id, cand.customer_b_id) == (a.pk, b.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Rizki Pratama" in page and "same phone" in page
    # dismissed pairs are remembered
    client.post(f"/customers/duplicates/{cand.pk}/dismiss/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/customers/duplicates/scan/")
    cand.refresh_from_db()
    assert cand.status == DuplicateStatus.DISMISSED
    assert DuplicateCandidate.objects.count() == 1


def test_merge_page_and_undo(personas, as_user):
    a, b = _pair(personas)
    client = as_user(personas.rep)
    page = client.get(f"/customers/merge/{a.pk}/{b.pk}/")
    assert page.status_code == 200 and 'name="f_first_name"' in page.content.decode()
    stale = client.post(
        f"/customers/merge/{a.pk}/{b.pk}/",
        {"version_a": a.version, "version_b": b.version - 1, "f_first_name": b.pk},
    )
    assert stale.status_code == 302 and Customer.objects.filter(pk=b.pk).exists()
    response = client.post(
        f"/customers/merge/{a.pk}/{b.pk}/",
        {"version_a": a.version, "version_b": b.version, "f_first_name": b.pk},
    )
    record = MergeRecord.objects.get()
    assert response["Location"] == f"/customers/merges/{record.pk}/"
    a.refresh_from_db()
    assert a.first_name == "Rizki" and not Customer.objects.filter(pk=b.pk).exists()
    assert client.get(response["Location"]).status_code == 200
    client.post(f"/customers/merges/{record.pk}/undo/")
    assert Customer.objects.get(pk=b.pk).first_name == "Rizki"
    a.refresh_from_db()
    assert a.first_name == "Rizky"


def test_other_team_cannot_see_or_merge(personas, as_user, api):
    a, b = _pair(personas)
    cand = DuplicateCandidate.objects.create(customer_a=a, customer_b=b, score=0.9, reasons=["x"])
    outsider = as_user(personas.other_rep)
    assert "Rizki" not in outsider.get("/customers/duplicates/").content.decode()
    assert outsider.get(f"/customers/merge/{a.pk}/{b.pk}/").status_code == 404
    assert outsider.post(f"/customers/duplicates/{cand.pk}/dismiss/").status_code == 404
    assert as_user(personas.readonly).post(f"/customers/merge/{a.pk}/{b.pk}/").status_code == 403
    client = api(personas.other_rep)
    assert client.get("/api/v1/duplicates/candidates").json()["items"] == []
    r = client.post(
        "/api/v1/duplicates/merge",
        {"survivor_id": a.pk, "merged_id": b.pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert Customer.objects.filter(pk=b.pk).exists()


def test_bulk_merge_above_threshold(personas, as_user):
    a, b = _pair(personas)
    c = person(personas.rep, "Dewi", "Lestari", phones=["081233334444"], emails=[])
    d = person(personas.rep, "Dewi", "Lestarii", phones=["081233334444"], emails=[])
    DuplicateCandidate.objects.create(customer_a=a, customer_b=b, score=0.97)
    DuplicateCandidate.objects.create(customer_a=c, customer_b=d, score=0.85)
    assert as_user(personas.rep).get("/customers/duplicates/bulk-merge/").status_code == 403
    admin = as_user(personas.admin)
    admin.post("/customers/duplicates/threshold/", {"auto_merge_threshold": "0.9"})
    assert DuplicateSettings.load().auto_merge_threshold == 0.9
    page = admin.get("/customers/duplicates/bulk-merge/")
    assert page.status_code == 200 and "Rizki" in page.content.decode()
    admin.post("/customers/duplicates/bulk-merge/", {"confirm": "1"})
    assert not Customer.objects.filter(pk=b.pk).exists()
    assert Customer.objects.filter(pk=d.pk).exists()
    assert MergeRecord.objects.count() == 1


def test_duplicates_api(personas, api, django_capture_on_commit_callbacks):
    a, b = _pair(personas)
    client = api(personas.rep)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/v1/duplicates/scan")
    assert r.status_code == 202
    job = client.get(f"/api/v1/duplicates/jobs/{r.json()['id']}").json()
    assert job["status"] == "succeeded" and job["percent"] == 100
    items = client.get("/api/v1/duplicates/candidates?min_score=0.5").json()["items"]
    assert [(i["customer_a"]["id"], i["customer_b"]["id"]) for i in items] == [(a.pk, b.pk)]
    r = client.post(
        "/api/v1/duplicates/merge",
        {
            "survivor_id": a.pk,
            "merged_id": b.pk,
            "choices": {"first_name": b.pk},
            "survivor_version": a.version,
            "merged_version": b.version + 5,
        },
        content_type="application/json",
    )
    assert r.status_code == 409
    r = client.post(
        "/api/v1/duplicates/merge",
        {"survivor_id": a.pk, "merged_id": b.pk, "choices": {"first_name": b.pk}},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    merge_id = r.json()["id"]
    assert Customer.objects.get(pk=a.pk).first_name == "Rizki"
    r = client.post(f"/api/v1/duplicates/merges/{merge_id}/undo")
    assert r.status_code == 200 and r.json()["undone_at"]
    assert Customer.objects.filter(pk=b.pk).exists()
    assert client.post(f"/api/v1/duplicates/merges/{merge_id}/undo").status_code == 422
    cand_id = DuplicateCandidate.objects.get().pk
    r = client.post(f"/api/v1/duplicates/candidates/{cand_id}/dismiss")
    assert r.status_code == 200 and r.json()["status"] == "dismissed"


def _many_pairs(personas, n):
    people = Customer.objects.bulk_create(
        Customer(kind="person", first_name=f"P{i}", name=f"P{i}", owner=personas.rep)
        for i in range(n + 1)
    )
    DuplicateCandidate.objects.bulk_create(
        DuplicateCandidate(customer_a=people[0], customer_b=c, score=0.7 + (i % 30) / 100)
        for i, c in enumerate(people[1:])
    )


def test_candidates_api_pages_past_500_by_cursor(personas, api):
    _many_pairs(personas, 620)
    client = api(personas.rep)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/duplicates/candidates?limit=500" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [(i["score"], i["id"]) for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 2 and len(seen) == len(set(seen)) == 620
    assert seen == sorted(seen, key=lambda s: (-s[0], -s[1]))  # best first, stable across pages


def test_queue_pages_by_cursor_and_counts(personas, as_user):
    _many_pairs(personas, 120)
    client = as_user(personas.rep)
    first = client.get("/customers/duplicates/")
    assert first.status_code == 200
    page = first.context["page"]
    assert len(page.items) == 50 and page.next_cursor and first.context["total"] == 120
    assert "120 open pairs" in first.content.decode()
    ids = {c.pk for c in page.items}
    while page.next_cursor:
        response = client.get(f"/customers/duplicates/?after={page.next_cursor}")
        page = response.context["page"]
        assert not ids & {c.pk for c in page.items}
        ids |= {c.pk for c in page.items}
    assert len(ids) == 120
    back = client.get(f"/customers/duplicates/?before={page.prev_cursor}").context["page"]
    assert len(back.items) == 50 and back.prev_cursor
