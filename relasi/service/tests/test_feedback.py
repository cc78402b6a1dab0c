"""Surveys: single-use, expiring links without sign-in; answers land on the ticket and the
customer's timeline; NPS campaigns go to a customer group in a background job."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from relasi.core.models import Job
from relasi.customers import actions as customer_actions
from relasi.customers import timeline
from relasi.customers.models import Group
from relasi.customers.tests.factories import person
from relasi.service import actions
from relasi.service.models import NpsCampaign, Survey
from relasi.service.tests.factories import ticket

pytestmark = pytest.mark.django_db


def _link(body: str) -> str:
    return re.search(r"(/portal/survey/[\w-]+/)", body).group(1)


@pytest.fixture
def resolved(world):
    t = ticket(world.p.admin, world.cust_a)
    mail.outbox.clear()
    actions.change_status(world.a1, t, "resolved")
    (message,) = [m for m in mail.outbox if "/portal/survey/" in m.body]
    return t, _link(message.body)


def test_survey_link_is_single_use(resolved):
    t, url = resolved
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "csat" in page.content.decode()
    assert client.post(url, {"csat": "9"}).status_code == 400  # out of range
    assert client.post(url, {"ces": "5"}).status_code == 400  # CSAT is required
    done = client.post(url, {"csat": "4", "ces": "6", "comment": "Cepat"})
    assert done.status_code == 200
    survey = Survey.objects.get(ticket=t)
    assert (survey.csat, survey.ces, survey.comment) == (4, 6, "Cepat") and survey.responded_at
    again = client.post(url, {"csat": "1"})
    assert again.status_code == 410
    survey.refresh_from_db()
    assert survey.csat == 4  # the second answer changed nothing
    assert client.get(url).status_code == 410


def test_survey_links_expire_and_guesses_are_404(resolved):
    _t, url = resolved
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert Client().get(url).status_code == 410
    assert Client().get("/portal/survey/not-a-real-token/").status_code == 404
    assert Client().post("/portal/survey/" + "x" * 300 + "/", {"csat": "5"}).status_code == 404


def test_answers_land_on_the_ticket_and_the_timeline(resolved, world, as_user):
    t, url = resolved
    Client().post(url, {"csat": "2", "comment": "Lama sekali"})
    entries = timeline.entries(world.cust_a, kinds_wanted=["survey"])
    assert entries and "2" in entries[0].title and entries[0].body == "Lama sekali"
    page = as_user(world.a1).get(t.get_absolute_url()).content.decode()
    assert "Lama sekali" in page


def test_submit_refuses_a_second_answer_even_without_the_page(resolved):
    from django.core.exceptions import ValidationError

    t, _url = resolved
    survey = Survey.objects.get(ticket=t)
    actions.submit_survey(survey, csat=5)
    with pytest.raises(ValidationError):
        actions.submit_survey(Survey.objects.get(pk=survey.pk), csat=1)


def test_no_email_no_survey(world):
    silent = person(world.p.rep, "Tanpa", "Email", emails=[])
    t = ticket(world.p.admin, silent)
    actions.change_status(world.a1, t, "resolved")
    assert not Survey.objects.filter(ticket=t).exists()


def test_nps_campaign_sends_to_group_members(world, as_user, django_capture_on_commit_callbacks):
    group = Group.objects.create(name="Pelanggan setia", owner=world.p.rep, team=world.p.team_a)
    no_mail = person(world.p.rep, "Tanpa", "Surel", emails=[])
    customer_actions.add_to_group(world.p.rep, group, [world.cust_a, no_mail])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.p.manager).post(
            "/service/nps/", {"name": "NPS Juni", "group": group.pk}
        )
    assert response.status_code == 302
    campaign = NpsCampaign.objects.get()
    assert (campaign.sent_count, campaign.skipped_count) == (1, 1)
    assert Job.objects.get(pk=campaign.job_id).status == "succeeded"
    (message,) = mail.outbox
    url = _link(message.body)
    page = Client().get(url).content.decode()
    assert 'name="nps"' in page
    assert Client().post(url, {"nps": "10"}).status_code == 200
    assert Survey.objects.get(campaign=campaign).nps == 10
    assert Client().post(url, {"nps": "0"}).status_code == 410
