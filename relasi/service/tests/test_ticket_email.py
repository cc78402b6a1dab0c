"""Issue #19: a ticket subject with a line break made the acknowledgement e-mail fail
silently. Through the outbox (core/mail.py) the subject is one clean line, the message is
delivered, and a send that fails is shown on the ticket."""

import pytest
from django.core import mail

from relasi.core.choices import EmailStatus
from relasi.core.models import OutboundEmail
from relasi.core.testing import client_for
from relasi.service.tests.factories import ticket

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def outbox(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "relasi.core.mail.OutboxBackend"},
        "delivery": {"BACKEND": LOCMEM},
    }
    settings.RELASI_EMAIL_MAX_ATTEMPTS = 1
    return settings


def test_subject_with_line_breaks_is_acknowledged(
    world, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket(
            world.p.admin, world.cust_a, subject="Printer rusak\r\nBcc: x@evil.test", notify=True
        )
    row = OutboundEmail.objects.get(ref=f"service.ticket:{t.pk}")
    assert row.status == EmailStatus.SENT
    sent = mail.outbox[-1]
    assert sent.subject.endswith("Printer rusak Bcc: x@evil.test")
    assert "\n" not in sent.subject and "\r" not in sent.subject
    page = client_for(world.p.admin).get(t.get_absolute_url())
    assert page.status_code == 200 and b'id="emails"' in page.content


def test_failed_acknowledgement_is_shown_on_the_ticket(
    world, outbox, django_capture_on_commit_callbacks
):
    outbox.MAILERS = {
        **outbox.MAILERS,
        "delivery": {"BACKEND": "relasi.core.tests.test_outbox.FailingBackend"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket(world.p.admin, world.cust_a, notify=True)
    row = OutboundEmail.objects.get(ref=f"service.ticket:{t.pk}")
    assert row.status == EmailStatus.FAILED
    page = client_for(world.p.admin).get(t.get_absolute_url()).content.decode()
    assert "SMTP server down" in page and "list-group-item-danger" in page
    outbox_page = client_for(world.p.admin).get("/outbox/?status=failed").content.decode()
    assert "SMTP server down" in outbox_page and "Send again" in outbox_page
    assert client_for(world.p.rep).get("/outbox/").status_code == 403
