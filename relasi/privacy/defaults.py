"""The default purposes and channel policies. The migration creates them; tests and a flushed
database get them back through `ensure()` (administrators change them afterwards)."""

import datetime as dt
from typing import Any

PURPOSES = [
    # key, name, name_id, basis, blacklist blocks, quiet hours, capped, description, description_id
    (
        "marketing", "Marketing", "Pemasaran", "consent", True, True, True,
        "Offers, newsletters, promotions and campaigns.",
        "Penawaran, buletin, promosi dan kampanye.",
    ),
    (
        "service", "Service messages", "Pesan layanan", "contract", False, False, False,
        "Messages about orders, tickets, appointments and quotes the person asked for.",
        "Pesan tentang pesanan, tiket, janji temu dan penawaran harga yang diminta.",
    ),
    (
        "profiling", "Profiling and analytics", "Profil dan analitik", "legitimate_interests",
        False, True, False,
        "Segments, scores and predictions built from purchase history.",
        "Segmen, skor dan prediksi yang dihitung dari riwayat pembelian.",
    ),
    (
        "partners", "Sharing with partners", "Berbagi dengan mitra", "consent", True, True, True,
        "Passing contact details to partners for their own offers.",
        "Meneruskan data kontak ke mitra untuk penawaran mereka sendiri.",
    ),
]  # fmt: skip

QUIET = (dt.time(21, 0), dt.time(8, 0))
POLICIES = [
    # channel, quiet hours, weekly cap, double opt-in
    ("email", QUIET, 3, True),
    ("whatsapp", QUIET, 2, True),
    ("sms", QUIET, 2, True),
    ("phone", QUIET, 2, False),
    ("post", (None, None), None, False),
]


def ensure(Purpose: Any, ChannelPolicy: Any, using: str = "default") -> None:
    """Create whatever default is missing (never changes an existing row)."""
    for order, (key, name, name_id, basis, bl, quiet, capped, desc, desc_id) in enumerate(PURPOSES):
        Purpose.objects.using(using).get_or_create(
            key=key,
            defaults={
                "name": name, "name_id": name_id, "basis": basis, "blocked_by_blacklist": bl,
                "respects_quiet_hours": quiet, "capped": capped, "description": desc,
                "description_id": desc_id, "sort_order": order * 10,
            },
        )  # fmt: skip
    for channel, (start, end), cap, doi in POLICIES:
        ChannelPolicy.objects.using(using).get_or_create(
            channel=channel,
            defaults={
                "quiet_start": start,
                "quiet_end": end,
                "weekly_cap": cap,
                "double_opt_in": doi,
            },
        )
