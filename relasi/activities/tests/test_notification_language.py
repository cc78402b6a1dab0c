"""A notification is written in the language of the person who reads it, not of the one who
acted (issue #19: notifications in the wrong language)."""

import pytest
from django.utils import translation

from relasi.activities.models import Notification
from relasi.activities.tests.factories import task


@pytest.mark.django_db
def test_assignment_notice_is_in_the_assignees_language(personas):
    personas.rep.language = "id"
    personas.rep.save(update_fields=["language"])
    personas.manager.language = "en"
    personas.manager.save(update_fields=["language"])
    with translation.override("en"):  # the manager's English request
        task(personas.manager, "Telepon Bu Sari", owner=personas.rep)
    note = Notification.objects.get(user=personas.rep, kind="assigned")
    assert "menugaskan Anda" in note.text and "assigned you" not in note.text, note.text


@pytest.mark.django_db
def test_assignment_notice_in_english_for_an_english_reader(personas):
    personas.rep.language = "en"
    personas.rep.save(update_fields=["language"])
    with translation.override("id"):
        task(personas.manager, "Call Mrs Sari", owner=personas.rep)
    assert "assigned you" in Notification.objects.get(user=personas.rep, kind="assigned").text
