"""Reminders: delivered once, after their time, by the cron command (or the deferred task on a
backend that can defer); in-app notification + e-mail; the bell shows them with one query."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from relasi.activities import actions
from relasi.activities.models import Notification, Reminder
from relasi.activities.reminders import send_due_reminders
from relasi.activities.tests.factories import meeting, task
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)


def test_reminder_fires_exactly_once_after_its_time(personas):
    with time_machine.travel(T0, tick=False) as clock:
        t = task(
            personas.rep, "Call Ibu Ratna", due_at=T0 + dt.timedelta(hours=2), remind_minutes=30
        )
        reminder = t.reminders.get()
        assert reminder.remind_at == T0 + dt.timedelta(minutes=90)
        call_command("send_due_reminders", verbosity=0)
        assert not Notification.objects.exists() and not mail.outbox  # too early
        clock.move_to(T0 + dt.timedelta(minutes=89, seconds=59))
        assert send_due_reminders() == 0
        clock.move_to(T0 + dt.timedelta(minutes=90))
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0  # idempotent
        clock.move_to(T0 + dt.timedelta(hours=5))
        call_command("send_due_reminders", verbosity=0)
    note = Notification.objects.get(user=personas.rep)
    assert "Call Ibu Ratna" in note.text and note.url == t.get_absolute_url()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [personas.rep.email]
    reminder.refresh_from_db()
    assert reminder.sent_at == T0 + dt.timedelta(minutes=90)


def test_done_task_reminder_is_skipped_and_moved_task_reschedules(personas):
    with time_machine.travel(T0, tick=False) as clock:
        done = task(
            personas.rep, "Done already", due_at=T0 + dt.timedelta(hours=1), remind_minutes=10
        )
        actions.complete_activity(personas.rep, done, expected_version=None)
        moved = task(personas.rep, "Moved", due_at=T0 + dt.timedelta(hours=1), remind_minutes=10)
        actions.update_activity(
            personas.rep,
            moved,
            {"due_at": T0 + dt.timedelta(days=1)},
            expected_version=moved.version,
        )
        clock.move_to(T0 + dt.timedelta(hours=2))
        assert send_due_reminders() == 0
        assert Reminder.objects.get(activity=done).error == "skipped"
        clock.move_to(T0 + dt.timedelta(days=1) - dt.timedelta(minutes=10))
        assert send_due_reminders() == 1
    assert not mail.outbox or all("Done already" not in m.subject for m in mail.outbox)


def test_failed_send_is_retried(personas, monkeypatch):
    from relasi.activities import messaging

    with time_machine.travel(T0, tick=False) as clock:
        task(personas.rep, "Retry me", due_at=T0 + dt.timedelta(minutes=20), remind_minutes=10)
        clock.move_to(T0 + dt.timedelta(minutes=15))
        monkeypatch.setattr(
            messaging, "send_reminder", lambda *a, **k: (_ for _ in ()).throw(OSError("smtp down"))
        )
        assert send_due_reminders() == 0
        reminder = Reminder.objects.get()
        assert reminder.sent_at is None and "smtp down" in reminder.error
        monkeypatch.undo()
        assert send_due_reminders() == 1


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_deferred_task_is_enqueued_on_a_backend_that_can_defer(
    personas, django_capture_on_commit_callbacks
):
    from django.tasks import default_task_backend

    from relasi.activities.tasks import deliver_reminder

    assert deliver_reminder.get_backend().supports_defer
    with django_capture_on_commit_callbacks(execute=True):
        t = task(personas.rep, "Deferred", due_at=T0.replace(year=2099), remind_minutes=60)
    results = default_task_backend.results
    assert len(results) == 1
    assert results[0].task.run_after == t.reminders.get().remind_at
    assert results[0].args == [t.reminders.get().pk]


def test_immediate_backend_does_not_defer(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        t = task(personas.rep, "Cron only", due_at=T0.replace(year=2099), remind_minutes=60)
    assert t.reminders.get().sent_at is None  # left for send_due_reminders


def test_customer_reminder_mail_with_ics(personas):
    customer = person(personas.rep, "Wulan", "Sari")
    with time_machine.travel(T0, tick=False) as clock:
        meeting(
            personas.rep, customer, due_at=T0 + dt.timedelta(days=3), remind_customer_minutes=1440
        )
        clock.move_to(T0 + dt.timedelta(days=2))
        assert send_due_reminders() == 1
    message = mail.outbox[0]
    assert message.to == [customer.primary_email]
    assert any(name == "invite.ics" for name, _c, _m in message.attachments)


def test_bell_one_query_and_mark_read(personas, as_user, django_assert_num_queries):
    from relasi.activities.templatetags.activity_tags import bell_state

    for i in range(12):
        actions.notify(personas.rep, f"Note {i}", "/activities/my-tasks/")
    with django_assert_num_queries(1):
        state = bell_state(personas.rep)
    assert state["count"] == 9 and state["more"]
    client = as_user(personas.rep)
    html = client.get("/").content.decode()
    assert 'id="notification-bell"' in html and "9+" in html
    newest = state["newest"]
    actions.notify(personas.rep, "Arrived later", "")
    response = client.post(f"/activities/notifications/read-through/{newest}/")
    assert response.status_code == 302
    assert list(
        Notification.objects.filter(read_at__isnull=True).values_list("text", flat=True)
    ) == ["Arrived later"]
    other = Notification.objects.filter(user=personas.rep).first()
    assert (
        as_user(personas.other_rep).post(f"/activities/notifications/{other.pk}/open/").status_code
        == 404
    )
    opened = client.post(f"/activities/notifications/{other.pk}/open/")
    assert opened.status_code == 302
