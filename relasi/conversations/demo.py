"""PT XYZ's inboxes and conversations on every channel: e-mail, WhatsApp, web chat and SMS,
from known customers and from strangers, some answered, some waiting, one past its SLA.

The channels are not connected to real accounts (no IMAP server, no WhatsApp number): the
messages are written through the same `actions.receive` the channels use, and the demo's
replies are stored as sent."""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from relasi.conversations import actions
from relasi.conversations.choices import ConversationStatus, DeliveryStatus, Direction
from relasi.conversations.models import Conversation, Inbox, Message

QUESTIONS = {
    "email": [
        (
            "Penawaran harga laptop untuk kantor",
            "Selamat siang, kami butuh 15 unit laptop untuk kantor cabang. Mohon penawaran harganya.",
        ),
        (
            "Faktur pajak pesanan bulan lalu",
            "Mohon dikirimkan faktur pajak untuk pesanan bulan lalu, terima kasih.",
        ),
        (
            "Warranty claim",
            "Hello, the printer we bought in March stopped working. How do I claim the warranty?",
        ),
        ("Jadwal pengiriman", "Kapan barang pesanan kami dikirim? Sudah lewat seminggu."),
    ],
    "whatsapp": [
        ("", "Halo kak, stok mouse wireless masih ada?"),
        ("", "Pesanan saya kok belum sampai ya? Udah 5 hari gak ada kabar"),
        ("", "Mantap, barangnya sudah sampai. Makasih bgt!"),
        ("", "Bisa COD ke Bekasi?"),
        ("", "Min, kapan promo 12.12 mulai?"),
    ],
    "webchat": [
        ("", "Apakah toko buka hari Minggu?"),
        ("", "Do you ship to Singapore?"),
        ("", "Saya mau tanya soal garansi monitor"),
    ],
    "sms": [
        ("", "Kode voucher saya tidak bisa dipakai"),
        ("", "Tolong hubungi saya soal pesanan INV-2031"),
    ],
}
REPLIES = [
    "Terima kasih sudah menghubungi kami, kami cek dulu ya kak.",
    "Sudah kami teruskan ke tim gudang, kabar selanjutnya paling lambat besok.",
    "Thank you, we have forwarded this to our warranty team.",
]


def seed(ctx: dict[str, Any]) -> None:
    users = ctx.get("users", {})
    customers = ctx.get("customers") or []
    if not customers or "cs.yusuf" not in users:
        return
    from relasi.service.models import Queue

    rng = random.Random(13)
    teams = ctx.get("teams", {})
    queue = Queue.objects.filter(is_default=True).first()
    boxes = {
        "email": Inbox.objects.create(
            name="CS e-mail", kind="email", address="cs@ptxyz.co.id", queue=queue,
            team=teams.get("Tim Jakarta"),
        ),
        "whatsapp": Inbox.objects.create(
            name="WhatsApp PT XYZ", kind="whatsapp", address="+6281100001234", queue=queue,
            team=teams.get("Tim Jakarta"), unknown_sender="contact",
        ),
        "webchat": Inbox.objects.create(
            name="Chat situs web", kind="webchat", address="ptxyz.co.id", queue=queue,
            team=teams.get("Tim Jakarta"),
        ),
        "sms": Inbox.objects.create(
            name="SMS", kind="sms", address="PTXYZ", team=teams.get("Tim Surabaya"),
            unknown_sender="lead",
        ),
    }  # fmt: skip
    now = timezone.now()
    agent = users["cs.yusuf"]
    count = 12 if ctx.get("small") else 40
    known = [c for c in customers[:400] if c.primary_email or c.primary_phone]
    for i in range(count):
        channel = ["email", "whatsapp", "whatsapp", "webchat", "sms"][i % 5]
        subject, body = QUESTIONS[channel][i % len(QUESTIONS[channel])]
        at = now - dt.timedelta(hours=rng.randint(1, 24 * 10), minutes=rng.randint(0, 59))
        sender, name = _sender(rng, channel, known, i)
        msg = actions.receive(
            boxes[channel],
            actions.Inbound(
                sender=sender,
                sender_name=name,
                body=body,
                subject=subject,
                external_id=f"demo-{channel}-{i}"
                if channel != "email"
                else f"<demo-{i}@mail.test>",
                at=at,
            ),
        )
        if i % 3 == 0:  # answered; the older ones also closed
            answered = at + dt.timedelta(minutes=rng.randint(5, 90))
            _reply(msg, agent, REPLIES[i % len(REPLIES)], answered)
            if now - at > dt.timedelta(days=2):
                Conversation.objects.filter(pk=msg.conversation_id).update(
                    status=ConversationStatus.CLOSED, resolved_at=answered
                )
    # The chatbot answers new chats from here on (the history above is the team's).
    for kind in ("webchat", "whatsapp"):
        Inbox.objects.filter(pk=boxes[kind].pk).update(config={**boxes[kind].config, "bot": True})


def _sender(rng: random.Random, channel: str, known: list[Any], i: int) -> tuple[str, str]:
    if channel == "webchat":
        return f"visitor-{i}", ""
    if i % 4 != 3 and known:  # most are customers; every fourth a stranger
        c = rng.choice(known)
        if channel == "email" and c.primary_email:
            return c.primary_email, c.name
        if channel != "email" and c.primary_phone:
            return c.primary_phone, c.name
    if channel == "email":
        return f"pembeli{i}@contoh.co.id", f"Pembeli {i}"
    return f"+62813{rng.randint(10_000_000, 99_999_999)}", f"Pelanggan {i}"


def _reply(inbound: Message, agent: Any, body: str, at: dt.datetime) -> None:
    conv = inbound.conversation
    Message.objects.create(
        conversation=conv,
        inbox=conv.inbox,
        direction=Direction.OUTBOUND,
        author=agent,
        sender=conv.inbox.address,
        body=body,
        status=DeliveryStatus.READ if conv.channel == "whatsapp" else DeliveryStatus.SENT,
        status_at=at,
        external_id=f"demo-reply-{inbound.pk}",
        created_at=at,
    )
    Conversation.objects.filter(pk=conv.pk).update(
        waiting_since=None,
        first_responded_at=at,
        last_message_at=max(at, conv.last_message_at),
        preview=body[:200],
        owner=conv.owner or agent,
    )
