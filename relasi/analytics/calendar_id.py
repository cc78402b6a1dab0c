"""Indonesian retail calendar facts for the date dimension and the demo data: Idulfitri
(Lebaran) dates and Ramadan, which drive the biggest sales peak of the year."""

import datetime as dt

# 1 Syawal (Idulfitri, first day) as decreed by the government.
IDULFITRI: dict[int, dt.date] = {
    2019: dt.date(2019, 6, 5),
    2020: dt.date(2020, 5, 24),
    2021: dt.date(2021, 5, 13),
    2022: dt.date(2022, 5, 2),
    2023: dt.date(2023, 4, 22),
    2024: dt.date(2024, 4, 10),
    2025: dt.date(2025, 3, 31),
    2026: dt.date(2026, 3, 20),
    2027: dt.date(2027, 3, 10),
    2028: dt.date(2028, 2, 27),
}
RAMADAN_DAYS = 30


def ramadan(year: int) -> tuple[dt.date, dt.date] | None:
    """(first day of Ramadan, Idulfitri) for `year`, or None outside the table."""
    eid = IDULFITRI.get(year)
    if eid is None:
        return None
    return eid - dt.timedelta(days=RAMADAN_DAYS), eid


def holidays() -> dict[dt.date, str]:
    """National holidays and cuti bersama (from the service app's table when present) plus
    Idulfitri for the years it does not cover."""
    out: dict[dt.date, str] = {}
    try:
        from relasi.service import holidays_id

        for day, name, _kind, _confirmed in holidays_id.rows():
            out[day] = name
    except ImportError:  # pragma: no cover - the service app is optional for the mart
        pass
    for year, eid in IDULFITRI.items():
        out.setdefault(eid, f"Idulfitri {year}")
        out.setdefault(eid + dt.timedelta(days=1), f"Idulfitri {year} (hari kedua)")
    for year in range(2015, 2036):
        out.setdefault(dt.date(year, 1, 1), "Tahun Baru")
        out.setdefault(dt.date(year, 8, 17), "Hari Kemerdekaan")
        out.setdefault(dt.date(year, 12, 25), "Hari Raya Natal")
    return out
