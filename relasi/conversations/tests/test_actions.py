import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from relasi.conversations import actions
from relasi.conversations.choices import ConversationStatus, DeliveryStatus, Direction
from relasi.conversations.models import Conversation, Message
from relasi.conversations.tests.factories import inbound, inbox
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person
from relasi.sales.models import Lead

pytestmark = pytest.mark.django_db


def test_a_message_is_matched_to_the_person_by_any_of_their_addresses(personas):
    siti = person(personas.rep, "Siti", "Rahayu", emails=["siti@contoh.test", "siti.kerja@pt.test"])
    box = inbox()
    msg = inbound(box, ["Siti Rahayu ", "SITI.KERJA@pt.test>"][1].rstrip(">"))
    assert msg.conversation.customer == siti
    assert msg.conversation.contact_address == "siti.kerja@pt.test"
    assert Customer.objects.count() == 1


def test_a_whatsapp_number_in_any_form_matches_the_e164_phone(personas):
    budi = person(personas.rep, "Budi", "Santoso", emails=[], phones=["0812-3456-7890"])
    box = inbox("whatsapp")
    msg = inbound(box, "6281234567890", external_id="wamid.1")
    assert msg.conversation.customer == budi
    assert msg.conversation.contact_address == "+6281234567890"


def test_the_same_channel_id_twice_is_one_message(personas):
    box = inbox("whatsapp")
    first = inbound(box, "6281234567890", external_id="wamid.X")
    again = inbound(box, "6281234567890", "something else", external_id="wamid.X")
    assert again.pk == first.pk
    assert Message.objects.count() == 1


def test_an_unknown_sender_becomes_one_contact_however_often_they_write(personas):
    box = inbox("whatsapp")
    inbound(box, "+6281299990000", external_id="wamid.a", sender_name="Dewi Lestari")
    inbound(box, "081299990000", external_id="wamid.b")
    assert Customer.objects.count() == 1
    dewi = Customer.objects.get()
    assert dewi.name == "Dewi Lestari" and dewi.primary_phone == "+6281299990000"
    assert dewi.source == "message"
    assert Conversation.objects.count() == 1  # the open chat continues


def test_a_number_libphonenumber_rejects_still_delivers_and_matches_its_sender(personas):
    # WhatsApp delivers from numbers the phone library calls invalid (a range it does not
    # know yet): the message must not be lost, and the sender is one contact, not one a message.
    box = inbox("whatsapp")
    first = inbound(box, "6284500000419", external_id="wamid.r1", sender_name="Rina")
    again = inbound(box, "6284500000419", "masih ada?", external_id="wamid.r2")
    assert Message.objects.count() == 2 and again.conversation == first.conversation
    rina = Customer.objects.get()
    assert first.conversation.customer == rina and first.conversation.contact_address == (
        "+6284500000419"
    )
    number = rina.phones.get()
    assert number.number == "+6284500000419" and number.is_valid is False


def test_an_unknown_sender_becomes_a_lead_when_the_inbox_says_so(personas):
    box = inbox(unknown_sender="lead")
    msg = inbound(box, "calon@pembeli.test", sender_name="Calon Pembeli")
    assert Customer.objects.count() == 0
    lead = Lead.objects.get()
    assert msg.conversation.lead == lead and lead.email == "calon@pembeli.test"
    again = inbound(box, "calon@pembeli.test")
    assert again.conversation.lead == lead and Lead.objects.count() == 1


def test_email_threads_by_in_reply_to_and_a_new_mail_is_a_new_thread(personas):
    box = inbox()
    first = inbound(box, "a@contoh.test", subject="Harga", external_id="<1@x>")
    answer = inbound(box, "a@contoh.test", "lagi", external_id="<2@x>", in_reply_to="<1@x>")
    other = inbound(box, "a@contoh.test", "lain", external_id="<3@x>", subject="Garansi")
    assert answer.conversation == first.conversation
    assert other.conversation != first.conversation


def test_a_reply_goes_out_threaded_and_stops_the_first_response_clock(
    personas, django_capture_on_commit_callbacks
):
    box = inbox()
    msg = inbound(box, "a@contoh.test", subject="Harga", external_id="<1@x>")
    conv = msg.conversation
    assert conv.waiting_since is not None and conv.first_responded_at is None
    with django_capture_on_commit_callbacks(execute=True):
        out = actions.reply(personas.rep, conv, "Ada, kak.")
    out.refresh_from_db()
    conv.refresh_from_db()
    assert out.status == DeliveryStatus.SENT and out.external_id.startswith("<")
    assert conv.waiting_since is None and conv.first_responded_at is not None
    (sent,) = mail.outbox
    assert sent.to == ["a@contoh.test"] and sent.subject == "Re: Harga"
    assert sent.extra_headers["In-Reply-To"] == "<1@x>"
    assert sent.extra_headers["Message-ID"] == out.external_id


def test_a_reply_to_a_suppressed_address_is_refused_with_the_reason(personas):
    from relasi.privacy import suppression

    box = inbox()
    conv = inbound(box, "a@contoh.test").conversation
    suppression.suppress("email", "a@contoh.test", "complaint")
    with pytest.raises(ValidationError) as exc:
        actions.reply(personas.rep, conv, "Halo")
    assert "suppression" in str(exc.value)
    assert not conv.messages.filter(direction=Direction.OUTBOUND).exists()


def test_a_delivery_report_only_moves_forward(personas, django_capture_on_commit_callbacks):
    box = inbox("webchat", address="tokoxyz.test")
    conv = inbound(box, "visitor-1").conversation
    with django_capture_on_commit_callbacks(execute=True):
        out = actions.reply(personas.rep, conv, "Halo")
    out.refresh_from_db()
    assert actions.record_status(box, out.external_id, DeliveryStatus.READ)
    assert not actions.record_status(box, out.external_id, DeliveryStatus.DELIVERED)
    out.refresh_from_db()
    assert out.status == DeliveryStatus.READ


def test_closing_and_a_new_message_reopens_with_a_new_clock(personas):
    box = inbox("whatsapp")
    conv = inbound(box, "+6281299990000", external_id="w1").conversation
    conv = actions.set_status(personas.admin, conv, ConversationStatus.CLOSED)
    assert conv.resolved_at is not None
    again = inbound(box, "+6281299990000", external_id="w2")
    # A closed chat is not continued: the person starts a new conversation.
    assert again.conversation != conv
    assert again.conversation.status == ConversationStatus.OPEN


def test_snooze_needs_a_future_time_and_wakes_up(personas):
    box = inbox("whatsapp")
    conv = inbound(box, "+6281299990000", external_id="w1").conversation
    with pytest.raises(ValidationError):
        actions.set_status(personas.admin, conv, ConversationStatus.SNOOZED)
    soon = timezone.now() + dt.timedelta(hours=1)
    conv = actions.set_status(personas.admin, conv, ConversationStatus.SNOOZED, snooze_until=soon)
    assert actions.wake_snoozed(soon - dt.timedelta(minutes=1)) == 0
    assert actions.wake_snoozed(soon + dt.timedelta(minutes=1)) == 1
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.OPEN


def test_a_mention_notifies_only_users_who_can_see_the_conversation(personas):
    from relasi.activities.models import Notification

    box = inbox()
    conv = inbound(box, "a@contoh.test").conversation
    actions.assign(personas.admin, conv, personas.rep)
    conv.refresh_from_db()
    Notification.objects.all().delete()
    actions.add_note(personas.rep, conv, "@manager tolong cek, juga @other_rep dan @nobody")
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"manager"}


def test_a_killed_delivery_is_picked_up_by_the_recovery_sweep(personas):
    box = inbox("webchat", address="tokoxyz.test")
    conv = inbound(box, "visitor-1").conversation
    out = actions.reply(personas.rep, conv, "Halo")  # its task never ran (no commit here)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Message.objects.filter(pk=out.pk).update(status=DeliveryStatus.SENDING, status_at=long_ago)
    counts = actions.sweep(timezone.now() - dt.timedelta(minutes=5))
    out.refresh_from_db()
    assert counts["messages_requeued"] == 1 and out.status == DeliveryStatus.SENT


def test_a_ticket_from_a_conversation_carries_the_transcript(personas):
    from relasi.service.models import TicketType

    TicketType.objects.get_or_create(name="Question", defaults={"name_id": "Pertanyaan"})
    siti = person(personas.rep, "Siti", "Rahayu", emails=["siti@contoh.test"])
    conv = inbound(inbox(), "siti@contoh.test", "Barang rusak", subject="Rusak").conversation
    ticket = actions.create_ticket(personas.rep, conv)
    conv.refresh_from_db()
    assert conv.ticket == ticket and ticket.customer == siti
    assert "Barang rusak" in ticket.description and ticket.channel == "email"
