"""The segment pages: the builder's structural edits and live count, save, detail with members
and snapshots, the people list's segment filter and export, and who may open what."""

import pytest
from django.urls import reverse

from relasi.customers.tests.factories import person
from relasi.marketing import actions
from relasi.marketing.models import Segment

pytestmark = pytest.mark.django_db
RULE = {"op": "and", "rules": [{"field": "lifecycle_stage", "op": "in", "value": ["customer"]}]}
HX = {"HTTP_HX_REQUEST": "true"}


def form(**extra):
    data = {"name": "Pelanggan", "node": ["0:g", "0.0:c"], "0-op": "and",
            "0.0-field": "lifecycle_stage", "0.0-op": "in", "0.0-value": ["customer"]}  # fmt: skip
    data.update(extra)
    return data


def test_builder_edits_counts_and_saves(personas, as_user):
    person(personas.rep, "Ani", "Satu", lifecycle_stage="customer")
    person(personas.rep, "Budi", "Dua", lifecycle_stage="prospect")
    web = as_user(personas.manager)
    new = reverse("marketing:segment_new")
    page = web.get(new)
    assert page.status_code == 200 and b'id="rule-builder"' in page.content
    r = web.post(reverse("marketing:segment_count"), form(), **HX)
    assert r.status_code == 200 and b"<strong>1</strong>" in r.content
    r = web.post(new, form(do="add-group:0"), **HX)
    html = r.content.decode()
    assert 'name="node" value="0.1:g"' in html and 'value="0.1.0:c"' in html
    assert "<html" not in html  # the partial only
    r = web.post(new, form(do="remove:0.0"), **HX)
    assert 'value="0.0:c"' not in r.content.decode()
    incomplete = form(**{"0.0-field": "orders_spend", "0.0-op": "gte", "0.0-value": ""})
    r = web.post(reverse("marketing:segment_count"), incomplete, **HX)
    assert b"Complete the rule" in r.content
    r = web.post(new, form())
    seg = Segment.objects.get()
    assert r.status_code == 302 and seg.rule == RULE and seg.last_count == 1
    bad = web.post(reverse("marketing:segment_edit", args=[seg.pk]), incomplete)
    assert bad.status_code == 422


def test_detail_snapshot_people_filter_and_export(personas, as_user):
    ani = person(personas.rep, "Ani", "Satu", lifecycle_stage="customer")
    budi = person(personas.rep, "Budi", "Dua", lifecycle_stage="prospect")
    seg = actions.create_segment(personas.manager, {"name": "Pelanggan", "rule": RULE})
    web = as_user(personas.manager)
    page = web.get(seg.get_absolute_url()).content.decode()
    assert "Ani Satu" in page and "Budi Dua" not in page and "Lifecycle stage" in page
    r = web.post(reverse("marketing:segment_snapshot", args=[seg.pk]), {"name": "Kirim"})
    assert r.status_code == 302 and seg.snapshots.get().size == 1
    people = web.get(reverse("customers:person_list") + f"?segment={seg.pk}").content.decode()
    assert "Ani Satu" in people and "Budi Dua" not in people
    csv = web.get(reverse("customers:person_export") + f"?segment={seg.pk}&format=csv")
    body = b"".join(csv.streaming_content) if csv.streaming else csv.content
    assert b"Ani" in body and b"Budi" not in body
    assert budi.pk != ani.pk


def test_who_may_open_what(personas, as_user):
    from relasi.accounts.models import User

    seg = actions.create_segment(personas.manager, {"name": "Tim A", "rule": RULE})
    assert as_user(personas.rep).get(reverse("marketing:segment_list")).status_code == 403
    other = as_user(User.objects.get(username="manager_b"))
    assert other.get(seg.get_absolute_url()).status_code == 404
    assert other.post(reverse("marketing:segment_delete", args=[seg.pk])).status_code == 404
    assert Segment.objects.filter(pk=seg.pk).exists()
    assert as_user(personas.manager).get(reverse("marketing:segment_list")).status_code == 200
