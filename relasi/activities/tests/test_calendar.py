"""The calendar (day / week / month, htmx partial, bounded queries) and the private iCal feed."""

import datetime as dt

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from relasi.activities import actions
from relasi.activities.models import CalendarFeed
from relasi.activities.tests.factories import meeting, task
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def _day(offset: int = 0, hour: int = 10) -> dt.datetime:
    base = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=offset)


@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_calendar_views(personas, as_user, view, django_assert_max_num_queries):
    customer = person(personas.rep)
    task(personas.rep, "Kirim katalog", due_at=_day())
    meeting(personas.rep, customer, "Rapat toko", due_at=_day(hour=14))
    task(personas.teammate, "Teammate task", due_at=_day())
    client = as_user(personas.rep)
    with django_assert_max_num_queries(14):
        response = client.get(f"/activities/calendar/?view={view}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kirim katalog" in html and "Rapat toko" in html and "Teammate task" not in html
    partial = client.get(f"/activities/calendar/?view={view}", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Kirim katalog" in partial.content.decode()


def test_calendar_team_scope_follows_access(personas, as_user):
    task(personas.rep, "Rep's", due_at=_day())
    task(personas.other_rep, "Other team's", due_at=_day())
    html = (
        as_user(personas.manager).get("/activities/calendar/?view=week&scope=team").content.decode()
    )
    assert "Rep&#x27;s" in html or "Rep's" in html
    assert "Other team" not in html


def test_calendar_query_count_does_not_grow(personas, as_user, django_assert_max_num_queries):
    customer = person(personas.rep)
    client = as_user(personas.rep)
    for i in range(3):
        meeting(personas.rep, customer, f"M{i}", due_at=_day(hour=9 + i))
    with django_assert_max_num_queries(30) as few:
        client.get("/activities/calendar/?view=month")
    for i in range(3, 30):
        task(personas.rep, f"T{i}", due_at=_day(offset=i % 5), customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/activities/calendar/?view=month").status_code == 200


def test_ical_feed(personas, as_user):
    customer = person(personas.rep, "Feed", "Customer")
    mine = meeting(personas.rep, customer, "My appointment", due_at=_day(1))
    task(personas.rep, "Whole-day task", due_at=_day(2, hour=0), all_day=True)
    task(personas.other_rep, "Not mine", due_at=_day(1))
    task(personas.teammate, "Teammate's", due_at=_day(1))
    client = as_user(personas.rep)
    assert client.get("/activities/calendar/feed/").status_code == 200
    feed = CalendarFeed.objects.get(user=personas.rep)
    response = Client().get(f"/activities/ical/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "private" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert any("My appointment" in s for s in events)
    assert not any("Not mine" in s or "Teammate" in s for s in events)
    whole_day = next(e for s, e in events.items() if "Whole-day" in s)
    assert isinstance(whole_day.decoded("DTSTART"), dt.date)
    uid = next(str(e["UID"]) for s, e in events.items() if "My appointment" in s)
    assert uid.startswith(f"relasi-activity-{mine.pk}@")


def test_ical_bad_token_and_regeneration(personas, as_user):
    feed = actions.feed_for(personas.rep)
    old = feed.token
    client = Client()
    assert client.get(f"/activities/ical/{old[:-1]}x.ics").status_code == 404
    assert client.get("/activities/ical/short.ics").status_code == 404
    rep = as_user(personas.rep)
    assert (
        as_user(personas.other_rep)
        .post(f"/activities/calendar/feed/{feed.key}/regenerate/")
        .status_code
        == 404
    )
    assert rep.post(f"/activities/calendar/feed/{feed.key}/regenerate/").status_code == 302
    feed.refresh_from_db()
    assert feed.token != old
    assert client.get(f"/activities/ical/{old}.ics").status_code == 404
    assert client.get(f"/activities/ical/{feed.token}.ics").status_code == 200


def test_ical_team_scope(personas, as_user):
    task(personas.rep, "Rep's task", due_at=_day(1))
    feed = actions.feed_for(personas.manager)
    as_user(personas.manager).post(
        f"/activities/calendar/feed/{feed.key}/scope/", {"scope": "team"}
    )
    body = Client().get(f"/activities/ical/{feed.token}.ics").content.decode()
    assert "Rep's task" in body
    personas.manager.is_active = False
    personas.manager.save()
    assert Client().get(f"/activities/ical/{feed.token}.ics").status_code == 404
