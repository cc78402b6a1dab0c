"""Public web forms: honeypot, rate limit, signed single-use token, welcome e-mail, consent."""

import time

import pytest
import time_machine
from django.core import mail

from relasi.sales import webforms
from relasi.sales.models import Lead, WebForm, WebFormSubmission

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(personas):
    return WebForm.objects.create(
        name="Contact",
        fields=[
            {"name": "name", "required": True},
            {"name": "email", "required": True},
            {"name": "phone", "required": False},
        ],
        consent_text="Saya setuju dihubungi",
        thank_you_text="Terima kasih!",
        target_owner=personas.rep,
        welcome_subject="Selamat datang",
    )


def _token(form, age=10):
    with time_machine.travel(time.time() - age, tick=False):
        return webforms.make_token(form)


def post(client, form, **data):
    body = {
        "name": "Dewi Lestari",
        "email": "dewi@example.test",
        "phone": "081299998888",
        "consent": "on",
        "token": _token(form),
        **data,
    }
    return client.post(f"/f/{form.key}/", body, REMOTE_ADDR=data.pop("ip", "203.0.113.9"))


def test_submission_creates_lead_and_sends_welcome(client, form):
    response = post(client, form)
    assert response.status_code == 200 and "Terima kasih!" in response.content.decode()
    lead = Lead.objects.get()
    assert lead.owner == form.target_owner and lead.source == "web_form" and lead.web_form == form
    assert (
        lead.phone == "+6281299998888"
        and lead.consent
        and lead.consent_text == "Saya setuju dihubungi"
    )
    assert WebFormSubmission.objects.filter(form=form, lead=lead).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dewi@example.test"]
    assert mail.outbox[0].subject == "Selamat datang"


def test_honeypot_stores_nothing(client, form):
    response = post(client, form, website_url="http://spam.example")
    assert response.status_code == 200
    assert not Lead.objects.exists() and not mail.outbox


def test_token_is_single_use_and_must_not_be_instant_or_old(client, form):
    token = _token(form)
    assert post(client, form, token=token).status_code == 200
    assert post(client, form, token=token).status_code == 400  # replay
    assert post(client, form, token=webforms.make_token(form)).status_code == 400  # too fast
    assert post(client, form, token=_token(form, age=3 * 3600)).status_code == 400  # expired
    assert post(client, form, token="forged").status_code == 400
    assert Lead.objects.count() == 1


def test_embed_token_is_reusable(client, form):
    token = webforms.make_token(form, embed=True)
    assert post(client, form, token=token).status_code == 200
    assert post(client, form, token=token, email="other@example.test").status_code == 200
    assert Lead.objects.count() == 2
    snippet = webforms.embed_snippets(form, "https://crm.example.co.id")
    assert f"https://crm.example.co.id/f/{form.key}/" in snippet["iframe"]
    assert 'name="website_url"' in snippet["html"] and 'name="token"' in snippet["html"]


def test_rate_limit_per_ip(client, form):
    for _ in range(webforms.SUBMIT_LIMIT.limit):
        post(client, form)
    response = post(client, form)
    assert response.status_code == 429 and response["Retry-After"]
    assert Lead.objects.count() == webforms.SUBMIT_LIMIT.limit


def test_required_fields_and_redirect(client, form):
    response = post(client, form, email="")
    assert response.status_code == 400 and not Lead.objects.exists()
    form.redirect_url = "https://www.example.co.id/terima-kasih"
    form.save()
    response = post(client, form)
    assert response.status_code == 302 and response["Location"] == form.redirect_url


def test_inactive_form_is_404_and_only_this_page_may_be_framed(client, form):
    page = client.get(f"/f/{form.key}/")
    assert "X-Frame-Options" not in page and "frame-ancestors *" in page["Content-Security-Policy"]
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"
    form.active = False
    form.save()
    assert client.get(f"/f/{form.key}/").status_code == 404


def test_consent_becomes_a_ledger_entry_on_conversion(client, form, personas):
    """The form's checkbox and its wording reach the consent ledger; a web form does not prove
    the person owns the address, so the e-mail consent waits for the confirmation link."""
    from relasi.sales.actions import leads as actions

    post(client, form)
    lead = Lead.objects.get()
    converted = actions.convert_lead(personas.rep, lead, person="new", organization=None)
    event = converted.converted_customer.consent_events.get()
    assert (event.purpose.key, event.channel, event.source) == ("marketing", "email", "web_form")
    assert event.status == "pending" and event.wording == "Saya setuju dihubungi"
    assert event.occurred_at == lead.consent_at


def test_admin_builds_a_form(personas, as_user):
    client = as_user(personas.admin)
    response = client.post(
        "/sales/web-forms/new/",
        {
            "name": "Promo",
            "active": "on",
            "field_names": ["name", "email", "city"],
            "required_names": ["email"],
            "source": "web_form",
            "send_welcome": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    form = WebForm.objects.get(name="Promo")
    assert form.fields == [
        {"name": "name", "required": False},
        {"name": "email", "required": True},
        {"name": "city", "required": False},
    ]
    assert as_user(personas.rep).get("/sales/web-forms/new/").status_code == 403
