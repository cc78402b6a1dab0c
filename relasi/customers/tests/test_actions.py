import pytest
from django.core.exceptions import ValidationError

from relasi.core.models import AuditEvent
from relasi.customers import actions, phones
from relasi.customers.models import Customer, LifecycleChange
from relasi.customers.tests.factories import organization, person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "62-812-3456-7890",
        "6281234567890",
        "(0812) 34567890",
        "+6281234567890",
        "0062 812 3456 7890",
        "+62 (0) 812-3456-7890",
        "+62 0812 3456 7890",
    ],
)
def test_phone_formats_normalise_to_e164(typed):
    assert phones.to_e164(typed) == "+6281234567890"


def test_invalid_phone_is_rejected(personas):
    with pytest.raises(ValidationError) as exc:
        person(personas.rep, phones=["12345"])
    assert "phones" in exc.value.message_dict


def test_create_person_normalises_contacts_and_denormalises(personas):
    c = person(
        personas.rep,
        "Budi",
        "Santoso",
        emails=["  Budi.Santoso@Example.TEST ", "b@x.test"],
        phones=["0812 3456 7890"],
    )
    assert c.name == "Budi Santoso"
    assert c.primary_email == "budi.santoso@example.test"
    assert c.primary_phone == "+6281234567890"
    assert list(c.emails.values_list("email", "is_primary")) == [
        ("budi.santoso@example.test", True),
        ("b@x.test", False),
    ]
    assert "081234567890" in c.search_text and "budi santoso" in c.search_text
    assert c.owner == personas.rep and c.team == personas.team_a
    assert LifecycleChange.objects.filter(
        customer=c, to_stage="prospect", changed_by=personas.rep
    ).exists()
    assert AuditEvent.objects.for_object(c).filter(action="create").exists()


def test_stage_change_is_recorded_with_who_and_when(personas):
    c = person(personas.rep)
    c = actions.change_stage(personas.manager, c, "customer", note="first purchase")
    change = LifecycleChange.objects.filter(customer=c).first()
    assert (change.from_stage, change.to_stage, change.changed_by, change.note) == (
        "prospect",
        "customer",
        personas.manager,
        "first purchase",
    )
    assert c.lifecycle_stage == "customer"
    with pytest.raises(ValidationError):
        actions.change_stage(personas.manager, c, "nonsense")


def test_update_with_stale_version_conflicts(personas):
    from relasi.core.records import ConflictError

    c = person(personas.rep)
    v = c.version
    actions.update_customer(personas.rep, c, {"occupation": "Guru"}, expected_version=v)
    with pytest.raises(ConflictError):
        actions.update_customer(personas.teammate, c, {"occupation": "Dokter"}, expected_version=v)
    c.refresh_from_db()
    assert c.occupation == "Guru"


def test_blacklist_needs_reason_and_records_who(personas):
    c = person(personas.rep)
    c = actions.blacklist(personas.manager, c, "payment", "unpaid invoices")
    assert c.is_blacklisted and c.blacklisted_by == personas.manager and c.blacklisted_at
    with pytest.raises(ValidationError):
        actions.blacklist(personas.manager, c, "", "")
    c = actions.unblacklist(personas.manager, c)
    assert not c.is_blacklisted and c.blacklist_reason == ""


def test_relationships_memberships_and_referral_loops(personas):
    a = person(personas.rep, "Siti", "Aminah")
    b = person(personas.rep, "Ahmad", "Aminah")
    org = organization(personas.rep, "PT Sinar Jaya")
    rel = actions.relate(personas.rep, a, b, "spouse")
    assert rel in a.relationships_out.all()
    with pytest.raises(ValidationError):
        actions.relate(personas.rep, a, a, "family")
    m = actions.link_membership(personas.rep, a, org, "Direktur")
    a.refresh_from_db()
    assert "pt sinar jaya" in a.search_text and m.title == "Direktur"
    with pytest.raises(ValidationError):
        actions.link_membership(personas.rep, org, a)
    actions.set_referrer(personas.rep, b, a)
    a.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.set_referrer(personas.rep, a, b)  # b was referred by a: a loop


def test_note_is_sanitised(personas):
    c = person(personas.rep)
    note = actions.add_note(
        personas.rep, c, "<b>ok</b><script>alert(1)</script><a href='javascript:alert(1)'>x</a>"
    )
    assert (
        "<script" not in note.body and "javascript:" not in note.body and "<b>ok</b>" in note.body
    )


def test_groups_and_delete_is_audited(personas):
    from relasi.customers.models import Group

    c = person(personas.rep)
    g = Group.objects.create(name="VIP", owner=personas.rep)
    assert actions.add_to_group(personas.rep, g, [c, c]) == 1
    pk = c.pk
    actions.delete_customer(personas.rep, c)
    assert not Customer.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(pk)).exists()


def test_phone_display_matches_libphonenumber_for_many_shapes():
    import random

    import phonenumbers

    rng = random.Random(7)
    numbers = [f"+628{rng.randint(11, 99)}{rng.randint(10**6, 10**9)}" for _ in range(500)]
    numbers += ["+62215551234", "+6231555123", "+12025550123", "+442071838750", "+6561234567"]
    for n in numbers:
        expected = phonenumbers.format_number(
            phonenumbers.parse(n, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        assert phones.display(n) == expected, n
