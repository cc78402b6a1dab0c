"""Retention: ages at the edge (time-machine), dry runs that change nothing, applying exactly the
matched rows, idempotent re-runs, related rows (converted customers, ticket KPIs), the refused
consent ledger, the report numbers, the audit trail, permissions (UI and API), the command."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relasi.accounts.models import ApiToken
from relasi.core.models import AuditEvent, Job, OutboundEmail
from relasi.core.testing import client_for, make_user
from relasi.customers.tests.factories import person
from relasi.privacy import retention, tasks_retention
from relasi.privacy.models import ConsentEvent, RetentionPolicy, RetentionRun
from relasi.sales.models import Lead, LeadEvent, WebForm, WebFormSubmission
from relasi.sales.tests.factories import lead as make_lead
from relasi.service.models import Ticket, TicketMessage
from relasi.service.tests.factories import ticket as make_ticket

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2022, 3, 15, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def months_after(start: dt.datetime, months: int) -> dt.datetime:
    return retention.cutoff(-months, start)  # cutoff subtracts: a negative age moves forward


@pytest.fixture
def dpo(personas):
    return make_user("dpo", "dpo")


def policy(key: str) -> RetentionPolicy:
    return RetentionPolicy.objects.get(record_type=key)


def only(*keys: str) -> list[int]:
    return list(RetentionPolicy.objects.filter(record_type__in=keys).values_list("pk", flat=True))


def test_defaults_on_a_fresh_install():
    assert {
        (p.record_type, p.months, p.action, p.active) for p in RetentionPolicy.objects.all()
    } == {
        ("sales.lead", 24, "anonymise", True),
        ("service.ticket", 60, "anonymise", True),
        ("core.outboundemail", 12, "delete", True),
        ("sales.webformsubmission", 24, "delete", True),
    }
    assert retention.ensure_defaults() == 0


def test_lead_just_inside_and_just_outside_the_age(personas):
    with time_machine.travel(T0, tick=False):
        old = make_lead(personas.rep, first_name="Lama", email="lama@example.test")
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        young = make_lead(personas.rep, first_name="Muda", email="muda@example.test")
    p = policy("sales.lead")
    edge = months_after(T0, 24)
    with time_machine.travel(edge - DAY, tick=False):
        assert retention.preview(p).count == 0
    with time_machine.travel(edge + DAY, tick=False):
        result = retention.preview(p)
        assert result.count == 1 and result.sample[0]["id"] == old.pk
        assert result.sample[0]["url"] == old.get_absolute_url()
        run = retention.run_now(personas.admin, only("sales.lead"))
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.name == retention.ANONYMISED and old.email == "" and old.phone == ""
    assert young.email == "muda@example.test"
    assert run.report[0]["matched"] == 1 and run.report[0]["anonymised"] == 1
    # The old values are gone from the lead's history too.
    for event in AuditEvent.objects.for_object(old):
        assert "lama@example.test" not in str(event.changes)
    assert not LeadEvent.objects.filter(lead=old).exclude(message="").exists()


def test_dry_run_changes_nothing_and_reports_the_count(personas):
    with time_machine.travel(T0, tick=False):
        leads = [make_lead(personas.rep, email=f"l{i}@example.test") for i in range(3)]
    with time_machine.travel(months_after(T0, 25), tick=False):
        run = retention.run_now(personas.admin, only("sales.lead"), dry_run=True)
    assert run.dry_run and run.status == "done"
    assert run.report[0]["matched"] == 3 and run.totals["anonymised"] == 0
    assert set(Lead.objects.values_list("email", flat=True)) == {x.email for x in leads}
    assert policy("sales.lead").last_run_at is None


def test_converted_leads_never_match_and_their_customer_stays(personas):
    customer = person(personas.rep)
    with time_machine.travel(T0, tick=False):
        converted = make_lead(personas.rep, email="conv@example.test")
        plain = make_lead(personas.rep, email="plain@example.test")
    Lead.objects.filter(pk=converted.pk).update(
        converted_customer=customer, converted_at=T0, status="converted"
    )
    p = policy("sales.lead")
    RetentionPolicy.objects.filter(pk=p.pk).update(action="delete")
    with time_machine.travel(months_after(T0, 30), tick=False):
        run = retention.run_now(personas.admin, [p.pk])
    assert run.report[0]["matched"] == 1 and run.report[0]["deleted"] == 1
    assert not Lead.objects.filter(pk=plain.pk).exists()
    assert Lead.objects.filter(pk=converted.pk, email="conv@example.test").exists()
    customer.refresh_from_db()
    assert customer.pk and customer.first_name == "Siti"


def test_closed_tickets_are_anonymised_and_still_counted(personas):
    with time_machine.travel(T0, tick=False):
        old = make_ticket(
            personas.admin, subject="Kompor rusak", description="NIK 3174011234567890"
        )
        TicketMessage.objects.create(ticket=old, kind="public", body="Alamat saya Jl. Melati 5")
        open_one = make_ticket(personas.admin, subject="Masih terbuka")
    Ticket.objects.filter(pk=old.pk).update(status="closed", closed_at=T0)
    Ticket.objects.filter(pk=open_one.pk).update(status="open")
    messages_before = TicketMessage.objects.filter(ticket=old).count()
    edge = months_after(T0, 60)
    with time_machine.travel(edge - DAY, tick=False):
        assert retention.preview(policy("service.ticket")).count == 0
    with time_machine.travel(edge + DAY, tick=False):
        run = retention.run_now(personas.admin, only("service.ticket"))
    old.refresh_from_db()
    assert old.subject == retention.ANONYMISED and old.description == ""
    assert old.status == "closed" and old.closed_at == T0 and old.customer_id
    assert TicketMessage.objects.filter(ticket=old).count() == messages_before
    assert not TicketMessage.objects.filter(ticket=old, body__contains="Melati").exists()
    assert Ticket.objects.filter(status="closed").count() == 1  # the KPIs still count it
    assert Ticket.objects.get(pk=open_one.pk).subject == "Masih terbuka"
    assert run.report[0]["anonymised"] == 1
    assert "delete" not in retention.get_type("service.ticket").actions


def test_apply_deletes_exactly_the_matched_and_rerun_is_a_no_op(personas):
    with time_machine.travel(T0, tick=False):
        sent_old = [OutboundEmail.objects.create(subject=f"s{i}", status="sent") for i in range(3)]
        queued_old = OutboundEmail.objects.create(subject="queued", status="queued")
    with time_machine.travel(T0 + 40 * DAY, tick=False):
        sent_young = OutboundEmail.objects.create(subject="young", status="sent")
        form = WebForm.objects.create(name="Kontak")
        sub_old = WebFormSubmission.objects.create(form=form, data={"email": "x@example.test"})
    with time_machine.travel(T0 + 13 * 30 * DAY, tick=False):
        run = retention.run_now(personas.admin, only("core.outboundemail"))
        assert run.report[0]["matched"] == 3 and run.report[0]["deleted"] == 3
        assert not OutboundEmail.objects.filter(pk__in=[e.pk for e in sent_old]).exists()
        assert OutboundEmail.objects.filter(pk__in=[queued_old.pk, sent_young.pk]).count() == 2
        again = retention.run_now(personas.admin, only("core.outboundemail"))
        assert again.totals == {"matched": 0, "anonymised": 0, "deleted": 0, "skipped": 0}
    assert WebFormSubmission.objects.filter(pk=sub_old.pk).exists()  # 24 months not reached
    counts = policy("core.outboundemail").last_run_counts
    assert counts == {"matched": 0, "anonymised": 0, "deleted": 0, "skipped": 0}


def test_batches_and_report_numbers_with_skips(personas, monkeypatch):
    with time_machine.travel(T0, tick=False):
        for i in range(7):
            make_lead(personas.rep, email=f"b{i}@example.test", company="PT Skip" if i < 2 else "")
    rt = retention.get_type("sales.lead")
    skipping = retention.RecordType(
        **{**rt.__dict__, "skip": lambda obj: "Legal hold" if obj.company == "PT Skip" else ""}
    )
    monkeypatch.setitem(retention._TYPES, "sales.lead", skipping)
    with time_machine.travel(months_after(T0, 25), tick=False):
        part = retention.apply_policy(policy("sales.lead"), batch_size=3)
    assert (part["matched"], part["anonymised"], part["skipped"]) == (7, 5, 2)
    assert part["reasons"] == {"Legal hold": 2} and part["seconds"] >= 0
    assert Lead.objects.filter(name=retention.ANONYMISED).count() == 5


def test_every_run_is_audited(personas):
    with time_machine.travel(T0, tick=False):
        make_lead(personas.rep)
    with time_machine.travel(months_after(T0, 25), tick=False):
        run = retention.run_now(personas.admin, only("sales.lead"))
    from django.contrib.contenttypes.models import ContentType

    run_type = ContentType.objects.get_for_model(type(run))
    # By content type and the run's id in the changes, never by the (translated) message.
    assert AuditEvent.objects.filter(content_type=run_type, object_id=str(run.pk)).exists()
    part_event = AuditEvent.objects.filter(changes__run=run.pk).exclude(content_type=run_type).get()
    assert part_event.changes["anonymised"] == 1 and part_event.actor == personas.admin


def test_consent_ledger_and_audit_trail_refuse_a_policy(personas, dpo):
    with pytest.raises(ValidationError):
        retention.create_policy(dpo, {"record_type": "privacy.consentevent", "months": 12,
                                      "action": "delete"})  # fmt: skip
    with pytest.raises(ValidationError):
        retention.create_policy(dpo, {"record_type": "core.auditevent", "months": 12,
                                      "action": "delete"})  # fmt: skip
    response = client_for(dpo).post(
        reverse("privacy:retention_new"),
        {"record_type": "privacy.consentevent", "months": "12", "action": "delete"},
    )
    assert (
        response.status_code == 200
        and not RetentionPolicy.objects.filter(record_type="privacy.consentevent").exists()
    )
    # A policy row smuggled into the table is not applied either.
    smuggled = RetentionPolicy.objects.create(
        record_type="privacy.consentevent", months=1, action="delete"
    )
    before = ConsentEvent.objects.count()
    run = retention.run_now(dpo, [smuggled.pk])
    assert run.report[0]["deleted"] == 0 and run.report[0]["skipped"] == 1
    assert ConsentEvent.objects.count() == before


def test_ui_preview_edit_and_background_run(personas, dpo, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        old = make_lead(personas.rep, first_name="Previewed")
    client = client_for(dpo)
    page = client.get(reverse("privacy:retention")).content.decode()
    assert "Leads not converted" in page and "Consent ledger" in page
    p = policy("sales.lead")
    with time_machine.travel(months_after(T0, 25), tick=False):
        preview = client.get(reverse("privacy:retention_preview", args=[p.pk])).content.decode()
        assert old.get_absolute_url() in preview and 'id="retention-count"' in preview
        assert Lead.objects.get(pk=old.pk).first_name == "Previewed"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("privacy:retention_run_start"), {"policy": p.pk})
    run = RetentionRun.objects.select_related("job").get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.status == "done" and run.job and run.job.status == "succeeded"  # immediate tasks
    assert Lead.objects.get(pk=old.pk).name == retention.ANONYMISED
    report = client.get(run.get_absolute_url()).content.decode()
    assert 'id="retention-report"' in report and "Leads not converted" in report
    edit = client.post(
        reverse("privacy:retention_edit", args=[p.pk]),
        {"months": "36", "action": "delete", "active": "on", "version": p.version},
    )
    assert edit.status_code == 302
    assert policy("sales.lead").months == 36 and policy("sales.lead").action == "delete"


def test_permissions_ui(personas, dpo):
    p = policy("sales.lead")
    urls = [reverse("privacy:retention"), reverse("privacy:retention_preview", args=[p.pk])]
    for user in (personas.manager, personas.rep, personas.readonly):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(reverse("privacy:retention_run_start")).status_code == 403
    viewer = make_user("viewer", "readonly")
    viewer.role.permissions = {"privacy": ["view"]}
    viewer.role.save()
    client = client_for(viewer)
    assert client.get(urls[1]).status_code == 200
    assert client.post(reverse("privacy:retention_run_start")).status_code == 403
    assert client.get(reverse("privacy:retention_edit", args=[p.pk])).status_code == 403
    assert not RetentionRun.objects.exists() and not Job.objects.exists()


def _bearer(user):
    token, raw = ApiToken.generate(user=user, name="t", scopes={"*": "write"})
    token.save()
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_preview_policies_runs_and_permissions(
    personas, dpo, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        make_lead(personas.rep)
    base = "/api/v1/privacy/retention"
    client = client_for(None)
    headers = _bearer(dpo)
    types = client.get(f"{base}/record-types", **headers).json()
    assert {"privacy.consentevent", "sales.lead"} <= {t["key"] for t in types}
    refused = client.post(
        f"{base}/policies",
        {"record_type": "privacy.consentevent", "months": 12, "action": "delete"},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 422
    created = client.post(
        f"{base}/policies",
        {"record_type": "activities.activity", "months": 36, "action": "anonymise"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.content
    p = policy("sales.lead")
    with time_machine.travel(months_after(T0, 25), tick=False):
        preview = client.get(f"{base}/policies/{p.pk}/preview", **headers).json()
        assert preview["count"] == 1 and len(preview["sample"]) == 1
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(
                f"{base}/runs", {"policies": [p.pk], "dry_run": True},
                content_type="application/json", **headers,
            )  # fmt: skip
    assert started.status_code == 202
    run = client.get(f"{base}/runs/{started.json()['id']}", **headers).json()
    assert run["status"] == "done" and run["totals"]["matched"] == 1 and run["dry_run"]
    for user in (personas.manager, personas.rep):
        other = _bearer(user)
        assert client.get(f"{base}/policies", **other).status_code == 403
        assert client.get(f"{base}/policies/{p.pk}/preview", **other).status_code == 403
        assert client.post(f"{base}/runs", {}, content_type="application/json",
                           **other).status_code == 403  # fmt: skip


def test_command_dry_run_and_apply(personas):
    with time_machine.travel(T0, tick=False):
        make_lead(personas.rep)
    out = io.StringIO()
    with time_machine.travel(months_after(T0, 25), tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)
        assert "sales.lead anonymise >24m matched=1 anonymised=0" in out.getvalue()
        assert not Lead.objects.filter(name=retention.ANONYMISED).exists()
        call_command("apply_retention", stdout=out)
    assert Lead.objects.filter(name=retention.ANONYMISED).count() == 1
    assert RetentionRun.objects.filter(trigger="command").count() == 2


def test_nightly_runs_once_a_night(personas):
    with time_machine.travel(T0, tick=False):
        make_lead(personas.rep)
    night = months_after(T0, 25).replace(hour=19)  # 02:00 in Jakarta
    with time_machine.travel(night, tick=False):
        first = tasks_retention.run_nightly()
        assert first is not None and first.totals["anonymised"] == 1
        assert tasks_retention.run_nightly() is None
        assert tasks_retention.next_night() > timezone.now()
    assert RetentionRun.objects.filter(trigger="scheduled").count() == 1
