"""Tasks: due states (overdue / today / planned / none), "My tasks", quick completion with
optimistic locking, and the create/edit forms."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from relasi.activities import selectors
from relasi.activities.choices import DueState
from relasi.activities.models import Activity
from relasi.activities.tests.factories import task
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
JKT = dt.timezone(dt.timedelta(hours=7))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=JKT)


@time_machine.travel(at(10, 14), tick=False)
def test_due_states_match_database_filters(personas):
    rep = personas.rep
    cases = {
        "past timed": (at(10, 9), False, DueState.OVERDUE),
        "yesterday all day": (at(9, 0), True, DueState.OVERDUE),
        "later today": (at(10, 16), False, DueState.TODAY),
        "today all day": (at(10, 0), True, DueState.TODAY),
        "tomorrow": (at(11, 8), False, DueState.PLANNED),
        "no date": (None, False, DueState.NONE),
    }
    made = {
        name: task(rep, name, due_at=due, all_day=all_day)
        for name, (due, all_day, _s) in cases.items()
    }
    done = task(rep, "finished", due_at=at(1, 9), status="done")
    for name, (_due, _all_day, state) in cases.items():
        assert selectors.due_state(made[name]) == state, name
        in_db = set(
            Activity.objects.filter(selectors.state_q(state)).values_list("title", flat=True)
        )
        assert name in in_db, (name, state)
        others = {s for s in DueState if s != state}
        for other in others:
            assert name not in set(
                Activity.objects.filter(selectors.state_q(other)).values_list("title", flat=True)
            ), (name, other)
    assert selectors.due_state(done) == DueState.DONE
    assert done.done_at is not None and done.progress == 100


@time_machine.travel(at(10, 14), tick=False)
def test_my_tasks_groups_and_colours(personas, as_user, django_assert_max_num_queries):
    for i in range(15):
        task(personas.rep, f"Overdue {i}", due_at=at(9, 9), customer=None)
    task(personas.rep, "Due soon", due_at=at(10, 17))
    client = as_user(personas.rep)
    with django_assert_max_num_queries(16):
        page = client.get("/activities/my-tasks/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("state-overdue") == 15 and html.count("state-today") == 1
    assert 'id="group-overdue"' in html and "text-bg-danger" in html
    # query count does not grow with rows
    for i in range(15, 40):
        task(personas.rep, f"Overdue {i}", due_at=at(9, 9))
    with django_assert_max_num_queries(16):
        assert client.get("/activities/my-tasks/?state=overdue").status_code == 200


def test_quick_complete_htmx_and_conflict(personas, as_user):
    t = task(personas.rep, "Call back Pak Joko")
    client = as_user(personas.rep)
    ok = client.post(
        f"/activities/{t.pk}/complete/", {"version": t.version}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200 and "is-done" in ok.content.decode()
    t.refresh_from_db()
    assert t.status == "done" and t.done_at is not None
    stale = task(personas.rep, "Stale one")
    Activity.objects.filter(pk=stale.pk).update(version=stale.version + 1)
    conflict = client.post(
        f"/activities/{stale.pk}/complete/", {"version": stale.version}, HTTP_HX_REQUEST="true"
    )
    assert conflict.status_code == 409
    stale.refresh_from_db()
    assert stale.status == "open"


def test_readonly_cannot_complete(personas, as_user):
    t = task(personas.rep, "x")
    assert as_user(personas.readonly).post(f"/activities/{t.pk}/complete/").status_code == 403


def test_create_and_edit_task_through_the_form(personas, as_user):
    customer = person(personas.rep, "Sari", "Dewi")
    client = as_user(personas.rep)
    assert client.get(f"/activities/tasks/new/?customer={customer.pk}").status_code == 200
    response = client.post(
        "/activities/tasks/new/",
        {
            "title": "Kirim penawaran",
            "owner": personas.teammate.pk,
            "customer": customer.pk,
            "due_date": "2030-01-15",
            "priority": "high",
            "status": "open",
            "progress": "20",
            "remind": "60",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    t = Activity.objects.get(title="Kirim penawaran")
    assert t.owner == personas.teammate and t.assigned_by == personas.rep and t.all_day
    assert t.customer == customer and t.reminders.count() == 1
    assert timezone.localtime(t.due_at).date() == dt.date(2030, 1, 15)
    edit = client.post(
        f"/activities/tasks/{t.pk}/edit/",
        {
            "title": "Kirim penawaran v2",
            "owner": personas.teammate.pk,
            "customer": customer.pk,
            "due_date": "2030-01-16",
            "due_time": "10:30",
            "priority": "high",
            "status": "in_progress",
            "progress": "50",
            "remind": "60",
            "version": t.version,
        },
    )
    assert edit.status_code == 302
    t.refresh_from_db()
    assert not t.all_day and t.progress == 50
    reminder = t.reminders.get()
    assert reminder.remind_at == t.due_at - dt.timedelta(hours=1)
    stale = client.post(
        f"/activities/tasks/{t.pk}/edit/",
        {"title": "late", "priority": "normal", "status": "open", "progress": "0", "version": 1},
    )
    assert stale.status_code == 409


def test_task_list_query_count(personas, as_user, django_assert_max_num_queries):
    customer = person(personas.rep)
    client = as_user(personas.rep)
    for i in range(5):
        task(personas.rep, f"T{i}", customer=customer, due_at=timezone.now())
    with django_assert_max_num_queries(40) as few:
        assert client.get("/activities/tasks/").status_code == 200
    for i in range(5, 40):
        task(personas.rep, f"T{i}", customer=customer, due_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/activities/tasks/")
    assert "T39" in response.content.decode()


def test_home_widget(personas, as_user):
    task(personas.rep, "late", due_at=timezone.now() - dt.timedelta(days=2))
    html = as_user(personas.rep).get("/").content.decode()
    assert "/activities/my-tasks/?state=overdue" in html


def test_edit_forms_show_the_current_values(personas, as_user):
    from relasi.activities.tests.factories import call, meeting

    customer = person(personas.rep, "Lina", "Marlina")
    m = meeting(
        personas.rep, customer, "Rapat", due_at=timezone.make_aware(dt.datetime(2031, 3, 4, 9, 30))
    )
    c = call(personas.rep, customer, due_at=timezone.make_aware(dt.datetime(2031, 3, 1, 14, 5)))
    client = as_user(personas.rep)
    html = client.get(f"/activities/meetings/{m.pk}/edit/").content.decode()
    assert 'value="2031-03-04T09:30"' in html and 'value="2031-03-04T10:30"' in html
    assert f'value="{customer.pk}"' in html and "Lina Marlina" in html
    html = client.get(f"/activities/calls/{c.pk}/edit/").content.decode()
    assert 'value="2031-03-01T14:05"' in html and "Lina Marlina" in html


@pytest.mark.parametrize(
    "url",
    [
        "/activities/",
        "/activities/tasks/",
        "/activities/calls/",
        "/activities/meetings/",
        "/activities/visits/",
        "/activities/visits/export/",
        "/activities/notifications/",
        "/activities/calendar/feed/",
        "/activities/tasks/new/",
        "/activities/calls/new/",
        "/activities/meetings/new/?kind=meeting&date=2030-01-02",
    ],
)
def test_pages_answer(personas, as_user, url):
    from relasi.activities import actions
    from relasi.activities.tests.factories import call, meeting

    customer = person(personas.rep)
    call(personas.rep, customer)
    meeting(personas.rep, customer)
    actions.check_in(personas.rep, customer)
    actions.notify(personas.rep, "Hello")
    response = as_user(personas.rep).get(url, follow=True)
    assert response.status_code == 200
