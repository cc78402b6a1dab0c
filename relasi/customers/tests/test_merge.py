"""Merging moves every related row to the survivor, keeps chosen values, and undoes exactly."""

import pytest
from django.core.exceptions import ValidationError

from relasi.core.models import AuditEvent, Tag
from relasi.core.records import ConflictError
from relasi.customers import actions, merge
from relasi.customers.models import (
    Address,
    Attachment,
    Customer,
    DuplicateCandidate,
    DuplicateStatus,
    EmailAddress,
    Group,
    GroupMembership,
    LifecycleChange,
    Membership,
    MergeRecord,
    Note,
    PhoneNumber,
    Relationship,
)
from relasi.customers.tests.factories import organization, person
from relasi.privacy import consent
from relasi.privacy.models import ConsentEvent, ConsentState

pytestmark = pytest.mark.django_db

TABLES = [
    EmailAddress,
    PhoneNumber,
    Address,
    Membership,
    Relationship,
    LifecycleChange,
    GroupMembership,
    Note,
    Attachment,
    ConsentEvent,
]
VOLATILE = {"version", "updated_at"}


def state() -> dict[str, list[dict]]:
    """Every row of every customer table, as plain values (for before/after comparisons)."""
    out = {
        "customer": [
            {k: v for k, v in row.items() if k not in VOLATILE}
            for row in Customer.objects.order_by("pk").values()
        ],
        "tags": sorted(Customer.tags.through.objects.values_list("customer_id", "tag_id")),
    }
    for model in TABLES:
        out[model.__name__] = list(model.objects.order_by("pk").values())
    return out


@pytest.fixture
def pair(personas):
    """Two records of the same person, each with one of every related kind."""
    rep = personas.rep
    a = person(rep, "Budi", "Santoso", emails=["budi@example.test"], phones=["081234567890"])
    b = person(
        rep,
        "Boedi",
        "Santoso",
        emails=["BUDI@example.test", "budi.s@kantor.test"],
        phones=["+62 812 3456 7890", "0813 9999 8888"],
        occupation="Guru",
    )
    org = organization(rep, "PT Maju Jaya")
    org2 = organization(rep, "PT Sinar")
    spouse = person(rep, "Siti", "Santoso")
    friend = person(rep, "Agus", "Salim")
    referred = person(rep, "Dewi", "Lestari")
    actions.add_address(rep, b, {"street": "Jl. Melati 1", "city": "Bandung"})
    actions.link_membership(rep, b, org, "Direktur")
    actions.link_membership(rep, a, org2, "Staf")
    actions.link_membership(rep, b, org2, "Staf lama")  # duplicate membership → dropped
    actions.relate(rep, b, spouse, "spouse")
    actions.relate(rep, a, spouse, "spouse")  # duplicate relationship → dropped
    actions.relate(rep, b, a, "family")  # would become a self-link → dropped
    actions.relate(rep, friend, b, "friend")
    actions.change_stage(rep, b, "customer")
    actions.add_note(rep, b, "Minta katalog")
    Attachment.objects.create(
        customer=b, file="attachments/x", original_name="ktp.pdf", content_type="a/b", size=3
    )
    consent.record(rep, b, "marketing", "whatsapp", "granted", source="staff_call")
    consent.record(rep, b, "marketing", "whatsapp", "withdrawn", source="staff_call")
    group = Group.objects.create(name="VIP", owner=rep)
    group2 = Group.objects.create(name="Seminar", owner=rep)
    actions.add_to_group(rep, group, [a, b])
    actions.add_to_group(rep, group2, [b])
    b.tags.add(Tag.objects.create(name="vip"))
    actions.set_referrer(rep, referred, b)
    Customer.objects.filter(pk=b.pk).update(custom={"hobby": "catur"})
    a.refresh_from_db()
    b.refresh_from_db()
    return a, b


def test_merge_moves_every_related_row(personas, pair):
    a, b = pair
    b_notes = Note.objects.filter(customer=b).count()
    record = merge.merge_customers(personas.rep, a, b, {"occupation": b.pk})
    assert not Customer.objects.filter(pk=b.pk).exists()
    a.refresh_from_db()
    assert a.occupation == "Guru"  # chosen from the merged record
    assert a.first_name == "Budi"  # survivor's value kept
    assert a.custom == {"hobby": "catur"}  # blank filled from the merged record
    assert sorted(a.emails.values_list("email", flat=True)) == [
        "budi.s@kantor.test",
        "budi@example.test",
    ]
    assert sorted(a.phones.values_list("number", flat=True)) == ["+6281234567890", "+6281399998888"]
    assert a.phones.filter(is_primary=True).count() == 1
    assert a.addresses.count() == 1 and a.city == "Bandung"
    assert set(a.memberships.values_list("organization__name", flat=True)) == {
        "PT Maju Jaya",
        "PT Sinar",
    }
    assert Relationship.objects.filter(from_customer=a, kind="spouse").count() == 1
    assert Relationship.objects.filter(to_customer=a, kind="friend").count() == 1
    assert not Relationship.objects.filter(from_customer=a, to_customer=a).exists()
    assert a.notes.count() == b_notes
    assert a.attachments.count() == 1
    assert a.consent_events.count() == 2  # the ledger moves whole
    # The state is rebuilt from it: the newest event (the withdrawal) wins.
    assert consent.current_status(a, "marketing", "whatsapp") == "withdrawn"
    assert set(a.group_memberships.values_list("group__name", flat=True)) == {"VIP", "Seminar"}
    assert list(a.tags.values_list("name", flat=True)) == ["vip"]
    assert a.referrals.count() == 1
    assert a.lifecycle_changes.filter(to_stage="customer").exists()
    assert record.merged_id == b.pk
    assert AuditEvent.objects.filter(object_id=str(a.pk), message__startswith="merged #").exists()
    assert AuditEvent.objects.filter(object_id=str(b.pk)).exists()  # history stays
    assert "budi.s@kantor.test" in a.search_text


def test_undo_restores_exactly(personas, pair):
    a, b = pair
    before = state()
    states_before = set(ConsentState.objects.values_list("customer", "purpose", "channel", "event"))
    record = merge.merge_customers(personas.rep, a, b, {"occupation": b.pk, "first_name": b.pk})
    assert state() != before
    merge.undo_merge(personas.rep, record)
    after = state()
    # The derived consent state is rebuilt, not restored: same content, new row ids.
    assert set(ConsentState.objects.values_list("customer", "purpose", "channel", "event")) == (
        states_before
    )
    for table in before:
        if table == "customer":
            for old, new in zip(before[table], after[table], strict=True):
                assert {k: (v, new[k]) for k, v in old.items() if new[k] != v} == {}
        assert after[table] == before[table], table
    record.refresh_from_db()
    assert record.undone_at is not None
    with pytest.raises(ValidationError):
        merge.undo_merge(personas.rep, record)


def test_stale_versions_conflict(personas, pair):
    a, b = pair
    with pytest.raises(ConflictError):
        merge.merge_customers(personas.rep, a, b, expected_versions=(a.version, b.version - 1))
    assert Customer.objects.filter(pk=b.pk).exists()


def test_person_and_organisation_cannot_merge(personas):
    p = person(personas.rep)
    o = organization(personas.rep)
    with pytest.raises(ValidationError):
        merge.merge_customers(personas.rep, p, o)


def test_registry_moves_registered_rows(personas, pair, monkeypatch):
    """A later app's model registered with register_related follows the merge and the undo."""
    a, b = pair
    monkeypatch.setattr(
        merge, "_SIMPLE_MOVES", [m for m in merge._SIMPLE_MOVES if m[0] is not Note]
    )
    monkeypatch.setattr(merge, "_HANDLED", merge._HANDLED | {(Note, "customer")})
    monkeypatch.setattr(merge, "_REGISTRY", [])
    note_ids = list(b.notes.values_list("pk", flat=True))
    assert (Note, "customer") not in merge.related_moves()
    merge.register_related(Note, "customer")
    assert (Note, "customer") in merge.related_moves()
    record = merge.merge_customers(personas.rep, a, b)
    assert set(Note.objects.filter(pk__in=note_ids).values_list("customer_id", flat=True)) == {a.pk}
    merge.undo_merge(personas.rep, record)
    assert set(Note.objects.filter(pk__in=note_ids).values_list("customer_id", flat=True)) == {b.pk}
    with pytest.raises(ValueError):
        merge.register_related(Note, "body")


def test_bulk_merge_and_dismiss(personas):
    rep = personas.rep
    x = person(rep, "Rizky", "Pratama", phones=["081211112222"])
    y = person(rep, "Rizki", "Pratama", phones=["0812-1111-2222"])
    z = person(rep, "Dewi", "Lestari", phones=["081233334444"])
    w = person(rep, "Dwi", "Lestari", phones=["081233334444"])
    c1 = DuplicateCandidate.objects.create(customer_a=x, customer_b=y, score=0.97)
    c2 = DuplicateCandidate.objects.create(customer_a=z, customer_b=w, score=0.9)
    merged, skipped = merge.bulk_merge(rep, [c1])
    assert (merged, skipped) == (1, 0)
    assert not Customer.objects.filter(pk=y.pk).exists()
    assert MergeRecord.objects.filter(survivor=x, merged_id=y.pk).exists()
    merge.dismiss(rep, c2)
    c2.refresh_from_db()
    assert c2.status == DuplicateStatus.DISMISSED
