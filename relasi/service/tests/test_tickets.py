"""Ticket actions: numbering, transitions, replies and e-mail, customer messages, FCR,
attachments, links, related tickets, merge and split, complaint fields, scripts, canned replies,
and the customer's 360° timeline / merge registry."""

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from relasi.core.records import ConflictError
from relasi.customers import merge as customer_merge
from relasi.customers import timeline
from relasi.customers.tests.factories import person
from relasi.service import actions, canned, scripts
from relasi.service.models import DialogueScript, Survey, Ticket, TicketMessage, TicketRelation
from relasi.service.tests.factories import ticket, wib

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_numbers_count_per_year(world):
    with time_machine.travel(wib(2026, 12, 31, 23, 59), tick=False):
        a = ticket(world.p.admin, world.cust_a)
        b = ticket(world.p.admin, world.cust_a)
    with time_machine.travel(wib(2027, 1, 1, 0, 1), tick=False):
        c = ticket(world.p.admin, world.cust_a)
    assert (a.number, b.number, c.number) == (
        "TKT-2026-000001",
        "TKT-2026-000002",
        "TKT-2027-000001",
    )


def test_only_allowed_transitions(world):
    t = ticket(world.p.admin, world.cust_a)
    with pytest.raises(ValidationError):
        actions.change_status(world.a1, t, "reopened")  # a new ticket cannot be reopened
    t = actions.change_status(world.a1, t, "resolved")
    with pytest.raises(ValidationError):
        actions.change_status(world.a1, t, "pending")
    t = actions.change_status(world.a1, t, "closed")
    t = actions.change_status(world.a1, t, "reopened")
    assert t.reopen_count == 1 and t.resolved_at is None and t.fcr is None
    with pytest.raises(ConflictError):
        actions.change_status(world.a1, t, "open", expected_version=t.version - 1)


def test_reply_emails_the_customer_and_stops_the_first_response_clock(world):
    t = ticket(world.p.admin, world.cust_a, notify=True)
    assert (
        mail.outbox[-1].to == ["siti.rahayu@example.test"] and t.number in mail.outbox[-1].subject
    )
    mail.outbox.clear()
    reply = actions.add_reply(world.a1, t, "Halo Siti, kami cek dulu.")
    t.refresh_from_db()
    reply.refresh_from_db()
    assert t.status == "open" and t.first_responded_at is not None
    assert len(mail.outbox) == 1 and "Halo Siti" in mail.outbox[0].body
    assert "/portal/tickets/" in mail.outbox[0].body and reply.emailed_at is not None
    actions.add_note(world.a1, t, "Internal: cek gudang.")
    actions.add_reply(world.a1, t, "Tanpa e-mail", send_email=False)
    assert len(mail.outbox) == 1  # notes and unsent replies stay inside


def test_customer_message_resumes_pending_and_reopens_resolved(world):
    t = ticket(world.p.admin, world.cust_a)
    actions.add_reply(world.a1, t, "Mohon fotonya")
    actions.change_status(world.a1, t, "pending")
    actions.add_customer_message(t, "Ini fotonya")
    t.refresh_from_db()
    assert t.status == "open" and t.customer_message_count == 1
    actions.change_status(world.a1, t, "resolved")
    actions.add_customer_message(t, "Masih rusak")
    t.refresh_from_db()
    assert t.status == "reopened" and t.reopen_count == 1
    assert t.owner.service_alerts.filter(ticket=t).count() == 3  # assigned, then two replies


def test_first_contact_resolution_computed_and_overridden(world):
    quick = ticket(world.p.admin, world.cust_a)
    quick = actions.change_status(world.a1, quick, "resolved")
    assert quick.fcr is True and quick.first_responded_at is not None
    slow = ticket(world.p.admin, world.cust_a)
    actions.add_customer_message(slow, "Halo? Ada yang bisa bantu?")
    slow = actions.change_status(world.a1, slow, "resolved")
    assert slow.fcr is False
    slow = actions.set_fcr(world.a1, slow, True)
    assert slow.fcr is True and slow.fcr_manual
    slow = actions.change_status(world.a1, slow, "reopened")
    slow = actions.change_status(world.a1, slow, "resolved")
    assert slow.fcr is True  # a manual value sticks
    slow = actions.set_fcr(world.a1, slow, None)
    assert slow.fcr is False and not slow.fcr_manual


def test_resolving_sends_one_satisfaction_survey(world):
    t = ticket(world.p.admin, world.cust_a)
    actions.change_status(world.a1, t, "resolved")
    actions.change_status(world.a1, t, "reopened")
    actions.change_status(world.a1, t, "closed")
    surveys = Survey.objects.filter(ticket=t)
    assert surveys.count() == 1 and surveys.get().kind == "csat"
    assert sum("/portal/survey/" in m.body for m in mail.outbox) == 1


def test_attachments_are_checked(world):
    t = ticket(world.p.admin, world.cust_a)
    ok = actions.add_attachment(world.a1, t, SimpleUploadedFile("foto.png", PNG), public=True)
    assert ok.content_type == "image/png" and ok.public
    with pytest.raises(ValidationError):
        actions.add_attachment(world.a1, t, SimpleUploadedFile("x.exe", b"MZ" + b"0" * 10))
    with pytest.raises(ValidationError):
        actions.add_attachment(world.a1, t, SimpleUploadedFile("fake.png", b"not a png at all"))


def test_generic_links_respect_visibility(world, monkeypatch):
    """Links are generic (content type + id): any model can be linkable; here customer groups
    stand in for products/orders/deals, whose apps the service app never imports."""
    from relasi.customers.models import Group
    from relasi.service.actions import tickets as ticket_actions

    monkeypatch.setattr(ticket_actions, "LINKABLE", [("customers", "group"), ("nope", "missing")])
    (group_ct,) = actions.linkable_types()
    mine = Group.objects.create(name="Pembeli rice cooker", owner=world.a1, team=world.p.team_a)
    theirs = Group.objects.create(name="Tim B", owner=world.b1, team=world.p.team_b)
    t = ticket(world.p.admin, world.cust_a)
    link = actions.link_record(world.a1, t, group_ct, mine.pk)
    assert link.label == "Pembeli rice cooker" and link.target == mine
    assert actions.link_record(world.a1, t, group_ct, mine.pk).pk == link.pk
    with pytest.raises(ValidationError):
        actions.link_record(world.a1, t, group_ct, theirs.pk)  # not visible to this agent
    with pytest.raises(ValidationError):
        actions.link_record(world.a1, t, group_ct, 999999)
    actions.unlink_record(world.a1, link)
    assert not t.links.exists()
    monkeypatch.setattr(ticket_actions, "LINKABLE", [])
    with pytest.raises(ValidationError):
        actions.link_record(world.a1, t, group_ct, mine.pk)


def test_related_tickets(world):
    a, b = ticket(world.p.admin, world.cust_a), ticket(world.p.admin, world.cust_b)
    actions.relate(world.a1, a, b)
    actions.relate(world.a1, b, a)  # no duplicate in the other direction
    assert TicketRelation.objects.count() == 1
    assert list(actions.related_tickets(b)) == [a] and list(actions.related_tickets(a)) == [b]
    with pytest.raises(ValidationError):
        actions.relate(world.a1, a, a)
    actions.unrelate(world.a1, b, a)
    assert not TicketRelation.objects.exists()


def test_merge_moves_the_conversation_and_closes_the_duplicate(world):
    target = ticket(world.p.admin, world.cust_a)
    dup = ticket(world.p.admin, world.cust_a)
    third = ticket(world.p.admin, world.cust_a)
    actions.add_reply(world.a1, dup, "Balasan di duplikat")
    actions.add_customer_message(dup, "Pesan pelanggan")
    actions.add_attachment(world.a1, dup, SimpleUploadedFile("foto.png", PNG))
    actions.relate(world.a1, dup, third)
    merged = actions.merge_tickets(world.a1, target, [dup])
    dup.refresh_from_db()
    assert dup.merged_into == target and dup.status == "closed"
    bodies = list(merged.messages.values_list("body", flat=True))
    assert "Balasan di duplikat" in bodies and "Pesan pelanggan" in bodies
    assert merged.attachments.count() == 1 and merged.customer_message_count == 1
    assert list(actions.related_tickets(target)) == [third]
    assert dup.messages.filter(kind="system").exists()
    other_customer = ticket(world.p.admin, world.cust_b)
    with pytest.raises(ValidationError):
        actions.merge_tickets(world.a1, target, [other_customer])
    with pytest.raises(ValidationError):
        actions.merge_tickets(world.a1, third, [dup])  # merged already


def test_split_moves_selected_messages_to_a_new_ticket(world):
    t = ticket(world.p.admin, world.cust_a)
    keep = actions.add_reply(world.a1, t, "Tentang blender")
    actions.add_customer_message(t, "Satu lagi: setrika saya juga rusak")
    move = TicketMessage.objects.get(body__startswith="Satu lagi")
    new = actions.split_ticket(world.a1, t, [move.pk], "Setrika rusak")
    assert new.customer == t.customer and new.split_from == t and new.subject == "Setrika rusak"
    assert list(new.messages.values_list("pk", flat=True)) == [move.pk]
    assert t.messages.filter(pk=keep.pk).exists()
    assert list(actions.related_tickets(t)) == [new]
    t.refresh_from_db()
    assert t.customer_message_count == 0
    with pytest.raises(ValidationError):
        actions.split_ticket(world.a1, t, [], "")


def test_complaint_register_fields(world):
    t = ticket(world.p.admin, world.cust_a, type="complaint")
    assert t.is_complaint and Ticket.objects.complaints().filter(pk=t.pk).exists()
    t = actions.update_complaint(
        world.a1,
        t,
        {
            "root_cause": "product_defect",
            "root_cause_detail": "Cacat produksi",
            "resolution": "Diganti baru",
        },
        expected_version=t.version,
    )
    assert t.root_cause == "product_defect" and t.resolution == "Diganti baru"
    with pytest.raises(ValidationError):
        actions.update_complaint(world.a1, t, {"root_cause": "bogus"})


def test_dialogue_script_walk_saves_answers(world):
    source = "start: Menyala?\n  > Lihat lampu\n  - Ya -> panas\n  - Tidak -> END: Cek kabel\npanas: Nasi matang?\n  - Ya -> END\n  - Tidak -> END: Klaim garansi\n"
    start, steps = scripts.parse(source)
    script = DialogueScript.objects.create(
        name="Rice cooker", source=source, steps=steps, start_step=start
    )
    t = ticket(world.p.admin, world.cust_a)
    run = actions.start_script(world.a1, t, script)
    run = actions.answer_script(world.a1, run, 0, "lampu merah")
    assert run.current_step == "panas" and not run.finished
    run = actions.answer_script(world.a1, run, 1)
    assert run.finished and run.outcome == "Klaim garansi"
    assert [a["answer"] for a in run.answers] == ["Ya", "Tidak"] and run.answers[0][
        "note"
    ] == "lampu merah"
    with pytest.raises(ValidationError):
        actions.answer_script(world.a1, run, 0)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "start: Q\n",
        "start: Q\n  - A -> nowhere\n",
        "a: Q\n  - x -> END\na: again\n  - y -> END\n",
        "garbage line",
    ],
)
def test_bad_scripts_are_refused(source):
    with pytest.raises(ValidationError):
        scripts.parse(source)


def test_canned_reply_placeholders(world):
    t = ticket(world.p.admin, world.cust_a)
    text = canned.render(
        "Halo {customer_first_name} ({ticket_number}), saya {agent_name}. {unknown} {customer_name.__class__}",
        t,
        world.a1,
    )
    assert text.startswith(f"Halo Siti ({t.number}), saya agent_a1.")
    assert "{unknown}" in text and "{customer_name.__class__}" in text


def test_tickets_on_the_customer_timeline_and_through_a_customer_merge(world):
    t = ticket(world.p.admin, world.cust_a)
    entries = timeline.entries(world.cust_a, kinds_wanted=["ticket"])
    assert entries and t.number in entries[0].title
    twin = person(world.p.rep, "Siti", "Rahayu", emails=["siti2@example.test"])
    other = ticket(world.p.admin, twin)
    customer_merge.merge_customers(world.p.admin, world.cust_a, twin, {})
    other.refresh_from_db()
    assert other.customer_id == world.cust_a.pk
