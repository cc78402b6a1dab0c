"""Business-time arithmetic: weekends, lunch breaks, holidays, overnight, pauses, time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from relasi.service import businesstime as bt

WIB = ZoneInfo("Asia/Jakarta")
DAY = [(8 * 60, 12 * 60), (13 * 60, 17 * 60)]  # 8 business hours with a lunch break
OFFICE = bt.Calendar.build(dict.fromkeys(range(5), DAY))  # Monday–Friday


def at(day: int, hour: int, minute: int = 0, month: int = 6, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WIB)


# June 2026: Mon 1 (Hari Lahir Pancasila), Fri 5, Sat 6, Sun 7, Mon 8 …


def test_within_one_morning():
    assert bt.add_business_minutes(OFFICE, at(2, 9), 60) == at(2, 10)


def test_lunch_break_is_skipped():
    assert bt.add_business_minutes(OFFICE, at(2, 11), 120) == at(2, 14)
    assert bt.business_minutes_between(OFFICE, at(2, 11), at(2, 14)) == 120


def test_start_before_opening_and_after_closing():
    assert bt.add_business_minutes(OFFICE, at(2, 6), 30) == at(2, 8, 30)
    # 20:00 Tuesday + 1 h -> Wednesday 09:00 (overnight)
    assert bt.add_business_minutes(OFFICE, at(2, 20), 60) == at(3, 9)
    assert bt.business_minutes_between(OFFICE, at(2, 16), at(3, 9)) == 120


def test_weekend_is_skipped():
    # Friday 16:00 + 4 business hours -> Monday 11:00
    assert bt.add_business_minutes(OFFICE, at(5, 16), 240) == at(8, 11)
    assert bt.business_minutes_between(OFFICE, at(5, 16), at(8, 11)) == 240
    assert bt.business_minutes_between(OFFICE, at(6, 9), at(7, 20)) == 0


def test_holiday_is_skipped():
    cal = bt.Calendar.build(dict.fromkeys(range(5), DAY), holidays=[dt.date(2026, 6, 1)])
    # Friday 29 May 16:00 + 2 h: Monday 1 June is Pancasila day -> Tuesday 09:00
    assert bt.add_business_minutes(cal, at(29, 16, month=5), 120) == at(2, 9)
    assert not cal.is_open_on(dt.date(2026, 6, 1))
    assert bt.business_minutes_between(cal, at(1, 8), at(1, 17)) == 0


def test_idulfitri_week_with_cuti_bersama():
    closed = [dt.date(2026, 3, d) for d in (20, 21, 22, 23, 24)]
    cal = bt.Calendar.build(dict.fromkeys(range(5), DAY), holidays=closed)
    # Thursday 19 March (Nyepi is not in this calendar) 16:00 + 2 h -> Wednesday 25 March 09:00
    assert bt.add_business_minutes(cal, at(19, 16, month=3), 120) == at(25, 9, month=3)


def test_zero_minutes_returns_start_even_when_closed():
    assert bt.add_business_minutes(OFFICE, at(6, 3), 0) == at(6, 3)


def test_round_trip_is_consistent():
    start = at(3, 10, 17)
    for minutes in (1, 59, 61, 479, 480, 481, 2000, 10_000):
        end = bt.add_business_minutes(OFFICE, start, minutes)
        assert bt.business_minutes_between(OFFICE, start, end) == pytest.approx(minutes)


def test_between_is_zero_for_reversed_range():
    assert bt.business_minutes_between(OFFICE, at(3, 12), at(3, 9)) == 0


def test_pauses_are_not_counted():
    pause = [(at(2, 9), at(2, 10))]
    assert bt.business_minutes_between(OFFICE, at(2, 8), at(2, 12), pauses=pause) == 180
    # Adding 2 h from 08:00 with a 09:00–10:00 pause -> 11:00
    assert bt.add_business_minutes(OFFICE, at(2, 8), 120, pauses=pause) == at(2, 11)


def test_pause_across_night_and_open_ended_pause():
    pause = [(at(2, 16), at(3, 10))]
    assert bt.business_minutes_between(OFFICE, at(2, 8), at(3, 12), pauses=pause) == 7 * 60 + 2 * 60
    open_ended = [(at(2, 10), None)]
    assert bt.business_minutes_between(OFFICE, at(2, 8), at(4, 12), pauses=open_ended) == 120
    with pytest.raises(ValueError):
        bt.add_business_minutes(OFFICE, at(2, 8), 600, pauses=open_ended)


def test_other_time_zone_input_is_converted():
    start_utc = at(2, 9).astimezone(dt.UTC)
    due = bt.add_business_minutes(OFFICE, start_utc, 60)
    assert due == at(2, 10) and due.tzinfo == dt.UTC


def test_twenty_four_hour_calendar_and_midnight_end():
    cal = bt.Calendar.always_open()
    assert bt.add_business_minutes(cal, at(6, 23), 120) == at(7, 1)
    evening = bt.Calendar.build({d: [(18 * 60, 24 * 60)] for d in range(7)})
    assert bt.add_business_minutes(evening, at(2, 23), 120) == at(3, 19)


def test_never_open_calendar_raises():
    with pytest.raises(ValueError):
        bt.add_business_minutes(bt.Calendar.build({}), at(2, 9), 1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        bt.add_business_minutes(OFFICE, dt.datetime(2026, 6, 2, 9), 5)


def test_intervals_are_merged_and_validated():
    assert bt.normalise_intervals([(600, 700), (480, 620)]) == ((480, 700),)
    with pytest.raises(ValueError):
        bt.normalise_intervals([(700, 600)])
    assert bt.parse_hhmm("08:30") == 510 and bt.parse_hhmm("24:00") == 1440
    with pytest.raises(ValueError):
        bt.parse_hhmm("25:00")


def test_format_duration():
    assert bt.format_duration(200) == "3 h 20 m"
    assert bt.format_duration(45) == "45 m"
    assert bt.format_duration(1560) == "26 h"
