"""SMS through Twilio: replies over the REST API (a fake Twilio on loopback), the signed
inbound and status webhooks, STOP and Twilio's "unsubscribed" error feeding consent and the
suppression list."""

import datetime as dt
import urllib.parse
from collections.abc import Iterator

import pytest
from django.utils import timezone

from relasi.conversations import actions
from relasi.conversations.adapters import sms, sms_twilio
from relasi.conversations.choices import DeliveryStatus, Direction, MessageKind
from relasi.conversations.models import Conversation, Inbox, Message
from relasi.conversations.tests import fake_twilio
from relasi.conversations.tests.factories import inbox
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person
from relasi.privacy import consent, suppression

pytestmark = pytest.mark.django_db
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}


@pytest.fixture
def twilio() -> Iterator[fake_twilio.FakeTwilio]:
    fake = fake_twilio.start()
    yield fake
    fake_twilio.stop(fake)


@pytest.fixture
def box(twilio: fake_twilio.FakeTwilio) -> Inbox:
    config = {"gateway_url": twilio.url, "account_sid": twilio.account, "sender_id": "PTXYZ"}
    b = inbox("sms", address="+6281100000001", config=config)
    b.set_secrets({"auth_token": twilio.token})
    b.save()
    return b


def hook(client, box: Inbox, data: dict[str, str], *, status: bool = False, token: str = ""):
    """POST a webhook signed as Twilio documents it (over the URL configured at Twilio)."""
    url = sms.status_callback_url(box) if status else sms.inbound_url(box)
    signature = sms_twilio.signature(token or fake_twilio.TOKEN, url, data)
    return client.post(
        urllib.parse.urlsplit(url).path,
        urllib.parse.urlencode(data),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def text_in(client, box: Inbox, body: str, sid: str, sender: str = "+6281234567890", **extra):
    data = {"MessageSid": sid, "SmsSid": sid, "AccountSid": fake_twilio.ACCOUNT,
            "From": sender, "To": box.address, "Body": body, "NumMedia": "0", **extra}  # fmt: skip
    return hook(client, box, data)


def chat(box: Inbox, sender: str = "081234567890") -> Conversation:
    return actions.receive(box, actions.Inbound(sender=sender, external_id="SMx")).conversation


def reply(personas, conv: Conversation, text: str, capture) -> Message:
    with capture(execute=True):
        out = actions.reply(personas.rep, conv, text)
    out.refresh_from_db()
    return out


# --- the signature ------------------------------------------------------------------------------
def test_the_signature_matches_twilios_published_vectors():
    assert sms_twilio.signature("12345", DOC_URL, DOC_PARAMS) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    # A name sent more than once: its distinct values, sorted (the SDKs' own test vector).
    repeated = {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234", "1234"]}
    assert sms_twilio.signature("12345", DOC_URL, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    # The URL is signed as configured, case and all.
    mixed = DOC_URL.replace("mycompany", "MyCompany")
    assert sms_twilio.signature("12345", mixed, DOC_PARAMS) == "g9IN/x4Cft2g517EjYvEvM/W7LU="
    assert sms_twilio.signature("12346", DOC_URL, DOC_PARAMS) != "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_the_url_is_tried_with_and_without_its_default_port():
    forms = sms_twilio.url_forms("https://crm.example.co.id/conversations/hooks/sms/k/")
    assert forms == [
        "https://crm.example.co.id/conversations/hooks/sms/k/",
        "https://crm.example.co.id:443/conversations/hooks/sms/k/",
    ]
    assert "http://127.0.0.1/x?a=1" in sms_twilio.url_forms("http://127.0.0.1:80/x?a=1")


def test_a_bad_or_missing_signature_is_403_and_stores_nothing(client, box, security_log):
    data = {"MessageSid": "SMbad", "From": "+6281234567890", "Body": "halo"}
    path = urllib.parse.urlsplit(sms.inbound_url(box)).path
    form = urllib.parse.urlencode(data)
    kind = "application/x-www-form-urlencoded"
    assert client.post(path, form, content_type=kind).status_code == 403
    forged = sms_twilio.signature("not-the-token", sms.inbound_url(box), data)
    r = client.post(path, form, content_type=kind, HTTP_X_TWILIO_SIGNATURE=forged)
    assert r.status_code == 403
    # Signed right, then tampered with: the body no longer matches the signature.
    good = sms_twilio.signature(fake_twilio.TOKEN, sms.inbound_url(box), data)
    tampered = urllib.parse.urlencode({**data, "Body": "transfer ke rekening lain"})
    r = client.post(path, tampered, content_type=kind, HTTP_X_TWILIO_SIGNATURE=good)
    assert r.status_code == 403
    assert not Message.objects.exists()
    assert "conversations.sms.bad_signature" in security_log.events()
    other = inbox("sms", name="other", address="+6281100000002")  # no auth token: nothing passes
    other_path = urllib.parse.urlsplit(sms.inbound_url(other)).path
    r = client.post(other_path, form, content_type=kind, HTTP_X_TWILIO_SIGNATURE=good)
    assert r.status_code == 403
    assert client.post("/conversations/hooks/sms/nope/", form, content_type=kind).status_code == 404
    assert client.get(path).status_code == 405


# --- inbound ------------------------------------------------------------------------------------
def test_an_inbound_text_matches_the_customer_by_phone_and_answers_empty_twiml(
    client, box, personas
):
    budi = person(personas.rep, "Budi", "Santoso", emails=[], phones=["0812-3456-7890"])
    r = text_in(client, box, "Pesanan INV-2031 sudah dikirim?", "SM" + "a" * 32)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/xml")
    assert r.content.decode() == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    msg = Message.objects.get()
    assert msg.conversation.customer == budi and msg.direction == Direction.INBOUND
    assert msg.sender == "+6281234567890" and msg.external_id == "SM" + "a" * 32
    assert msg.body == "Pesanan INV-2031 sudah dikirim?" and msg.meta["to"] == box.address


def test_an_unknown_number_becomes_one_contact_and_a_repeated_webhook_one_message(client, box):
    text_in(client, box, "Halo", "SM1", sender="+6281399990000")
    text_in(client, box, "Halo", "SM1", sender="+6281399990000")  # Twilio retried the webhook
    text_in(client, box, "Ada promo?", "SM2", sender="+6281399990000")
    assert Customer.objects.count() == 1
    assert Customer.objects.get().primary_phone == "+6281399990000"
    assert Message.objects.filter(external_id="SM1").count() == 1
    assert Message.objects.count() == 2 and Conversation.objects.count() == 1


def test_media_of_an_mms_is_kept_as_links(client, box):
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    text_in(client, box, "", "MM1", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg")
    assert Message.objects.get().meta["media"] == [{"url": url, "content_type": "image/jpeg"}]


def test_stop_withdraws_consent_and_the_confirmation_goes_out(
    client, box, twilio, personas, django_capture_on_commit_callbacks
):
    budi = person(personas.rep, "Budi", "Santoso", emails=[], phones=["081234567890"])
    consent.record(None, budi, "marketing", "sms", "granted", source="import")
    assert consent.current_status(budi, "marketing", "sms") == "granted"
    with django_capture_on_commit_callbacks(execute=True):
        text_in(client, box, "STOP", "SMstop")
    assert consent.current_status(budi, "marketing", "sms") == "withdrawn"
    assert Message.objects.get(external_id="SMstop").meta["keyword"] == "withdrawn"
    confirmation = Message.objects.get(direction=Direction.OUTBOUND)
    assert confirmation.kind == MessageKind.SYSTEM and confirmation.status == DeliveryStatus.SENT
    (sent,) = twilio.sent
    assert sent["To"] == "+6281234567890" and sent["Body"] == confirmation.body


def test_twilios_own_opt_out_word_withdraws_consent_too(client, box, personas):
    budi = person(personas.rep, "Budi", "Santoso", emails=[], phones=["081234567890"])
    consent.record(None, budi, "marketing", "sms", "granted", source="import")
    text_in(client, box, "cancel", "SMc1", OptOutType="HELP")  # not an opt-out: nothing changes
    assert consent.current_status(budi, "marketing", "sms") == "granted"
    text_in(client, box, "QUIT", "SMc2", OptOutType="STOP")  # Twilio opted the number out
    assert consent.current_status(budi, "marketing", "sms") == "withdrawn"


# --- replies ------------------------------------------------------------------------------------
def test_a_reply_posts_the_documented_fields_and_stores_the_message_sid(
    client, box, twilio, personas, django_capture_on_commit_callbacks
):
    text_in(client, box, "Stok ada?", "SMin1")
    conv = Conversation.objects.get()
    out = reply(personas, conv, "Ada, kak. Silakan order.", django_capture_on_commit_callbacks)
    (seen,) = twilio.requests
    assert seen.path == f"/2010-04-01/Accounts/{fake_twilio.ACCOUNT}/Messages.json"
    assert seen.auth == (fake_twilio.ACCOUNT, fake_twilio.TOKEN)
    assert seen.form == {
        "To": ["+6281234567890"],
        "Body": ["Ada, kak. Silakan order."],
        "From": ["PTXYZ"],
        "StatusCallback": [sms.status_callback_url(box)],
    }
    assert out.status == DeliveryStatus.SENT and out.external_id == "SM" + "0" * 31 + "1"
    assert out.meta["sms"] == {"gateway": "twilio", "segments": "1"}
    assert out.attempts == 1 and out.error == ""


def test_a_messaging_service_sends_instead_of_a_from_number(
    box, twilio, personas, django_capture_on_commit_callbacks
):
    box.config = {**box.config, "messaging_service_sid": "MG" + "1" * 32}
    box.save()
    conv = chat(box)
    reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    (sent,) = twilio.sent
    assert sent["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in sent


def test_delivery_reports_only_move_forward(
    client, box, twilio, personas, django_capture_on_commit_callbacks
):
    text_in(client, box, "Halo", "SMin1")
    out = reply(
        personas, Conversation.objects.get(), "Halo juga", django_capture_on_commit_callbacks
    )
    sid = out.external_id

    def report(state: str, **extra: str) -> None:
        data = {"MessageSid": sid, "MessageStatus": state, "To": "+6281234567890", **extra}
        r = hook(client, box, data, status=True)
        assert r.status_code == 200 and b"<Response/>" in r.content

    report("queued")
    out.refresh_from_db()
    assert out.status == DeliveryStatus.SENT
    report("delivered")
    report("sent")  # late and out of order: ignored
    out.refresh_from_db()
    assert out.status == DeliveryStatus.DELIVERED
    report("undelivered", ErrorCode="30003")
    out.refresh_from_db()
    assert out.status == DeliveryStatus.FAILED and out.error == "Twilio undelivered 30003"


def test_a_failed_report_carries_the_error_code(
    client, box, twilio, personas, django_capture_on_commit_callbacks
):
    text_in(client, box, "Halo", "SMin1")
    out = reply(personas, Conversation.objects.get(), "Halo", django_capture_on_commit_callbacks)
    data = {"MessageSid": out.external_id, "MessageStatus": "failed", "ErrorCode": "30008"}
    hook(client, box, data, status=True)
    out.refresh_from_db()
    assert out.status == DeliveryStatus.FAILED and "30008" in out.error
    assert not suppression.is_suppressed("sms", "+6281234567890")  # an error, not an opt-out


def test_undelivered_21610_puts_the_number_on_the_suppression_list(
    client, box, twilio, personas, django_capture_on_commit_callbacks
):
    text_in(client, box, "Halo", "SMin1")
    conv = Conversation.objects.get()
    out = reply(personas, conv, "Promo 12.12!", django_capture_on_commit_callbacks)
    data = {"MessageSid": out.external_id, "MessageStatus": "undelivered", "ErrorCode": "21610",
            "To": "+6281234567890"}  # fmt: skip
    hook(client, box, data, status=True)
    hook(client, box, data, status=True)  # repeated: still one entry
    assert suppression.is_suppressed("sms", "081234567890")
    row = suppression.Suppression.objects.get(channel="sms")
    assert row.reason == "stop" and "21610" in row.note
    allowed, reason = actions.may_reply(conv)
    assert not allowed and reason


def test_twilio_refusing_an_unsubscribed_number_suppresses_it(
    box, twilio, personas, django_capture_on_commit_callbacks
):
    conv = chat(box)
    refused = "Attempt to send to unsubscribed recipient"
    twilio.script.append((400, {"code": 21610, "message": refused, "status": 400}))
    out = reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.FAILED and "21610" in out.error
    assert suppression.is_suppressed("sms", "+6281234567890")


def test_a_refusal_fails_at_once_with_twilios_message(
    box, twilio, personas, django_capture_on_commit_callbacks
):
    conv = chat(box)
    message = "The 'To' number +6281234567890 is not a valid phone number."
    twilio.script.append((400, {"code": 21211, "message": message, "status": 400}))
    out = reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.FAILED and out.attempts == 1
    # Twilio's message, without the number (the error is logged too).
    assert out.error == "Twilio 400 21211: The 'To' number … is not a valid phone number."
    assert len(twilio.requests) == 1


def test_a_redirect_is_not_followed(box, twilio, personas, django_capture_on_commit_callbacks):
    conv = chat(box)
    elsewhere = f"{twilio.url}/2010-04-01/Accounts/{twilio.account}/Messages.json?again=1"
    twilio.script.append((307, {"_location": elsewhere}))
    out = reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.FAILED and "307" in out.error
    assert len(twilio.requests) == 1  # the credentials went nowhere else


def test_wrong_credentials_are_a_refusal_not_a_retry(
    box, twilio, personas, django_capture_on_commit_callbacks
):
    box.set_secrets({"auth_token": "an-old-token"})
    box.save()
    conv = chat(box)
    out = reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.FAILED and "20003" in out.error


@pytest.mark.parametrize("fault", ["500", "429", "refused", "timeout"])
def test_an_outage_puts_the_message_back_in_the_queue(
    box, twilio, personas, django_capture_on_commit_callbacks, monkeypatch, fault
):
    conv = chat(box)
    if fault in ("500", "429"):
        twilio.script.append((int(fault), {"code": 20500, "message": "Internal Server Error"}))
    elif fault == "timeout":
        monkeypatch.setattr(sms, "TIMEOUT", 0.2)
        twilio.script.append("hang")
    else:  # nothing listens there any more
        config = {**box.config, "gateway_url": twilio.url}
        fake_twilio.stop(twilio)
        box.config = config
        box.save()
    before = timezone.now()
    out = reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.QUEUED and out.attempts == 1 and out.error
    assert out.next_attempt_at >= before + dt.timedelta(seconds=25)
    # The next attempt, once due, goes through.
    if fault == "refused":
        return
    Message.objects.filter(pk=out.pk).update(next_attempt_at=timezone.now())
    assert actions.deliver(out.pk) == DeliveryStatus.SENT


def test_plain_http_is_refused_except_to_this_machine(
    box, twilio, personas, django_capture_on_commit_callbacks
):
    box.config = {**box.config, "gateway_url": "http://sms-gateway.example.com"}
    box.save()
    conv = chat(box)
    out = reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.FAILED and "https" in out.error
    assert twilio.requests == []


def test_an_unknown_gateway_or_missing_credentials_fail_without_a_retry(
    box, personas, django_capture_on_commit_callbacks
):
    """The reply box says so up front (may_reply asks the adapter); a message queued anyway
    (an automatic reply, a gateway that went away after queueing) fails once, no retry."""
    from django.core.exceptions import ValidationError

    conv = chat(box)
    queued = actions._queue(conv, "Halo", author=None)
    box.config = {**box.config, "gateway": "kannel"}
    box.save()
    conv.inbox.refresh_from_db()
    allowed, reason = actions.may_reply(conv)
    assert not allowed and "kannel" in reason
    with pytest.raises(ValidationError):
        actions.reply(personas.rep, conv, "Halo")
    actions.deliver(queued.pk)
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.FAILED and "kannel" in queued.error
    assert queued.attempts == 1
    box.config = {**box.config, "gateway": "twilio", "account_sid": ""}
    box.save()
    conv.inbox.refresh_from_db()
    allowed, reason = actions.may_reply(conv)
    assert not allowed and "account SID" in reason


def test_an_administrator_connects_a_twilio_number_and_sees_the_webhook_urls(personas):
    from relasi.core.testing import client_for

    client = client_for(personas.admin)
    data = {"name": "SMS toko", "kind": "sms", "address": "+6281100000009",
            "unknown_sender": "contact", "language": "id", "first_response_minutes": 30,
            "resolution_minutes": 600, "active": "on", "cfg_account_sid": fake_twilio.ACCOUNT,
            "cfg_sender_id": "TOKOXYZ", "secret_auth_token": "tw-secret-1"}  # fmt: skip
    r = client.post("/conversations/settings/inboxes/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    box = Inbox.objects.get()
    assert box.config == {"account_sid": fake_twilio.ACCOUNT, "sender_id": "TOKOXYZ"}
    assert box.secret("auth_token") == "tw-secret-1" and "tw-secret-1" not in box.sealed_secrets
    page = client.get(f"/conversations/settings/inboxes/{box.pk}/").content.decode()
    assert sms.inbound_url(box) in page and sms.status_callback_url(box) in page
    assert "tw-secret-1" not in page
    assert sms.inbound_url(box).endswith(f"/conversations/hooks/sms/{box.widget_key}/")


def test_start_at_twilio_lifts_the_stop_suppression_but_not_the_withdrawal(
    client, box, twilio, personas, django_capture_on_commit_callbacks
):
    budi = person(personas.rep, "Budi", "Santoso", emails=[], phones=["081234567890"])
    consent.record(None, budi, "marketing", "sms", "granted", source="import")
    text_in(client, box, "STOP", "SMs1", OptOutType="STOP")
    conv = Conversation.objects.get()
    twilio.script.append((400, {"code": 21610, "message": "unsubscribed recipient"}))
    reply(personas, conv, "Halo", django_capture_on_commit_callbacks)
    assert suppression.is_suppressed("sms", "+6281234567890")
    suppression.suppress("sms", "+6281299990000", "manual")  # staff's own entry
    text_in(client, box, "START", "SMs2", OptOutType="START")
    text_in(client, box, "START", "SMs3", sender="+6281299990000", OptOutType="START")
    assert not suppression.is_suppressed("sms", "+6281234567890")
    assert suppression.is_suppressed("sms", "+6281299990000")
    assert consent.current_status(budi, "marketing", "sms") == "withdrawn"
    assert actions.may_reply(conv) == (True, "")
