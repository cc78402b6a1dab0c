"""Indonesia's public holidays (hari libur nasional) and collective leave (cuti bersama).

2025 and 2026 follow the joint ministerial decrees (SKB 3 Menteri) as published; 2027 is an
estimate from the lunar and lunisolar calendars (marked unconfirmed) until its SKB appears. The
government amends these lists during the year (e.g. the extra cuti bersama of 18 August 2025),
so an administrator must check the SKB every year and edit Service → Holidays.
"""

import datetime as dt

NATIONAL = "national"
COLLECTIVE = "collective"

# (date, name, kind, confirmed)
HOLIDAYS: list[tuple[str, str, str, bool]] = [
    # --- 2025 (SKB 3 Menteri 2025, amended) ---
    ("2025-01-01", "Tahun Baru 2025 Masehi", NATIONAL, True),
    ("2025-01-27", "Isra Mikraj Nabi Muhammad SAW", NATIONAL, True),
    ("2025-01-28", "Cuti bersama Tahun Baru Imlek", COLLECTIVE, True),
    ("2025-01-29", "Tahun Baru Imlek 2576 Kongzili", NATIONAL, True),
    ("2025-03-28", "Cuti bersama Hari Suci Nyepi", COLLECTIVE, True),
    ("2025-03-29", "Hari Suci Nyepi Tahun Baru Saka 1947", NATIONAL, True),
    ("2025-03-31", "Idulfitri 1446 H", NATIONAL, True),
    ("2025-04-01", "Idulfitri 1446 H (hari kedua)", NATIONAL, True),
    ("2025-04-02", "Cuti bersama Idulfitri", COLLECTIVE, True),
    ("2025-04-03", "Cuti bersama Idulfitri", COLLECTIVE, True),
    ("2025-04-04", "Cuti bersama Idulfitri", COLLECTIVE, True),
    ("2025-04-07", "Cuti bersama Idulfitri", COLLECTIVE, True),
    ("2025-04-18", "Wafat Isa Almasih", NATIONAL, True),
    ("2025-04-20", "Kebangkitan Isa Almasih (Paskah)", NATIONAL, True),
    ("2025-05-01", "Hari Buruh Internasional", NATIONAL, True),
    ("2025-05-12", "Hari Raya Waisak 2569 BE", NATIONAL, True),
    ("2025-05-13", "Cuti bersama Waisak", COLLECTIVE, True),
    ("2025-05-29", "Kenaikan Isa Almasih", NATIONAL, True),
    ("2025-05-30", "Cuti bersama Kenaikan Isa Almasih", COLLECTIVE, True),
    ("2025-06-01", "Hari Lahir Pancasila", NATIONAL, True),
    ("2025-06-06", "Iduladha 1446 H", NATIONAL, True),
    ("2025-06-09", "Cuti bersama Iduladha", COLLECTIVE, True),
    ("2025-06-27", "Tahun Baru Islam 1447 H", NATIONAL, True),
    ("2025-08-17", "Hari Kemerdekaan Republik Indonesia", NATIONAL, True),
    ("2025-08-18", "Cuti bersama HUT RI", COLLECTIVE, True),
    ("2025-09-05", "Maulid Nabi Muhammad SAW", NATIONAL, True),
    ("2025-12-25", "Hari Raya Natal", NATIONAL, True),
    ("2025-12-26", "Cuti bersama Natal", COLLECTIVE, True),
    # --- 2026 (SKB 3 Menteri 2026) ---
    ("2026-01-01", "Tahun Baru 2026 Masehi", NATIONAL, True),
    ("2026-01-16", "Isra Mikraj Nabi Muhammad SAW", NATIONAL, True),
    ("2026-02-16", "Cuti bersama Tahun Baru Imlek", COLLECTIVE, True),
    ("2026-02-17", "Tahun Baru Imlek 2577 Kongzili", NATIONAL, True),
    ("2026-03-18", "Cuti bersama Hari Suci Nyepi", COLLECTIVE, True),
    ("2026-03-19", "Hari Suci Nyepi Tahun Baru Saka 1948", NATIONAL, True),
    ("2026-03-20", "Cuti bersama Idulfitri", COLLECTIVE, True),
    ("2026-03-21", "Idulfitri 1447 H", NATIONAL, True),
    ("2026-03-22", "Idulfitri 1447 H (hari kedua)", NATIONAL, True),
    ("2026-03-23", "Cuti bersama Idulfitri", COLLECTIVE, True),
    ("2026-03-24", "Cuti bersama Idulfitri", COLLECTIVE, True),
    ("2026-04-03", "Wafat Isa Almasih", NATIONAL, True),
    ("2026-04-05", "Kebangkitan Isa Almasih (Paskah)", NATIONAL, True),
    ("2026-05-01", "Hari Buruh Internasional", NATIONAL, True),
    ("2026-05-14", "Kenaikan Isa Almasih", NATIONAL, True),
    ("2026-05-15", "Cuti bersama Kenaikan Isa Almasih", COLLECTIVE, True),
    ("2026-05-27", "Iduladha 1447 H", NATIONAL, True),
    ("2026-05-28", "Cuti bersama Iduladha", COLLECTIVE, True),
    ("2026-05-31", "Hari Raya Waisak 2570 BE", NATIONAL, True),
    ("2026-06-01", "Hari Lahir Pancasila", NATIONAL, True),
    ("2026-06-16", "Tahun Baru Islam 1448 H", NATIONAL, True),
    ("2026-08-17", "Hari Kemerdekaan Republik Indonesia", NATIONAL, True),
    ("2026-08-25", "Maulid Nabi Muhammad SAW", NATIONAL, True),
    ("2026-12-24", "Cuti bersama Natal", COLLECTIVE, True),
    ("2026-12-25", "Hari Raya Natal", NATIONAL, True),
    # --- 2027 (estimates until the SKB is published: verify and correct) ---
    ("2027-01-01", "Tahun Baru 2027 Masehi", NATIONAL, True),
    ("2027-01-05", "Isra Mikraj Nabi Muhammad SAW (perkiraan)", NATIONAL, False),
    ("2027-02-06", "Tahun Baru Imlek 2578 Kongzili", NATIONAL, False),
    ("2027-03-08", "Cuti bersama Idulfitri (perkiraan)", COLLECTIVE, False),
    ("2027-03-09", "Hari Suci Nyepi Tahun Baru Saka 1949 (perkiraan)", NATIONAL, False),
    ("2027-03-10", "Idulfitri 1448 H (perkiraan)", NATIONAL, False),
    ("2027-03-11", "Idulfitri 1448 H hari kedua (perkiraan)", NATIONAL, False),
    ("2027-03-12", "Cuti bersama Idulfitri (perkiraan)", COLLECTIVE, False),
    ("2027-03-26", "Wafat Isa Almasih", NATIONAL, False),
    ("2027-03-28", "Kebangkitan Isa Almasih (Paskah)", NATIONAL, False),
    ("2027-05-01", "Hari Buruh Internasional", NATIONAL, True),
    ("2027-05-06", "Kenaikan Isa Almasih", NATIONAL, False),
    ("2027-05-17", "Iduladha 1448 H (perkiraan)", NATIONAL, False),
    ("2027-05-20", "Hari Raya Waisak 2571 BE (perkiraan)", NATIONAL, False),
    ("2027-06-01", "Hari Lahir Pancasila", NATIONAL, True),
    ("2027-06-06", "Tahun Baru Islam 1449 H (perkiraan)", NATIONAL, False),
    ("2027-08-15", "Maulid Nabi Muhammad SAW (perkiraan)", NATIONAL, False),
    ("2027-08-17", "Hari Kemerdekaan Republik Indonesia", NATIONAL, True),
    ("2027-12-25", "Hari Raya Natal", NATIONAL, True),
]


def rows() -> list[tuple[dt.date, str, str, bool]]:
    return [(dt.date.fromisoformat(d), n, k, c) for d, n, k, c in HOLIDAYS]
