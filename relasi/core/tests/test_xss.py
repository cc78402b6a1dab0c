"""SECURITY.md check 14: user data is escaped wherever it is rendered; notes are sanitised by
nh3; links only take http(s) URLs."""

from html.parser import HTMLParser

import pytest

from relasi.core.models import CustomField, Tag
from relasi.core.testing import client_for
from relasi.customers.models import Customer, Note
from relasi.customers.tests.factories import organization, person

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "{{ 7*7 }}<b onmouseover=alert(1)>x</b>",
    "</textarea><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(document.cookie)",
]


class LiveMarkup(HTMLParser):
    """Collects what a browser would execute: handlers, scripts without our nonce, frames,
    javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:text", "vbscript:")
            ):
                self.found.append(f"{tag} {name}={value}")
        if tag == "script" and "nonce" not in names:
            self.found.append("script without nonce")
        if tag in ("iframe", "svg", "object", "embed"):
            self.found.append(tag)


def _assert_escaped(html: str, payload: str) -> None:
    if "<" in payload or '"' in payload:
        assert payload not in html
    parser = LiveMarkup()
    parser.feed(html)
    assert parser.found == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_name_tag_and_custom_field_is_escaped(personas, payload):
    CustomField.objects.create(
        model_label="customers.person", key="motto", label="Motto", field_type="text"
    )
    customer = person(personas.rep, payload, "Target", emails=[])
    Customer.objects.filter(pk=customer.pk).update(custom={"motto": payload})
    customer.tags.add(Tag.objects.create(name=payload[:60]))
    client = client_for(personas.rep)
    pages = [
        f"/customers/people/{customer.pk}/",
        f"/customers/people/{customer.pk}/edit/",
        "/customers/people/?cols=name,tags,cf_motto",
        "/search/?q=Target",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_escaped(html, payload)
    detail = client.get(f"/customers/people/{customer.pk}/").content.decode()
    assert "&lt;" in detail or "&quot;" in detail or "&#x27;" in detail


@pytest.mark.parametrize("payload", PAYLOADS)
def test_note_is_sanitised(personas, payload):
    customer = person(personas.rep, "Note", "Target")
    client = client_for(personas.rep)
    response = client.post(f"/customers/{customer.pk}/notes/", {"body": f"hello {payload} bye"})
    assert response.status_code in (200, 302)
    note = Note.objects.get(customer=customer)
    stored = note.body.lower()
    assert "<script" not in stored and "onerror" not in stored and "onload" not in stored
    assert 'href="javascript:' not in stored
    html = client.get(f"/customers/people/{customer.pk}/").content.decode()
    _assert_escaped(html, payload)


def test_note_keeps_harmless_markup(personas):
    customer = person(personas.rep, "Note", "Format")
    client = client_for(personas.rep)
    client.post(f"/customers/{customer.pk}/notes/", {"body": "<b>bold</b> and <i>it</i>"})
    body = Note.objects.get(customer=customer).body
    assert "bold" in body and "<script" not in body


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>1</script>",
        "vbscript:x",
    ],
)
def test_website_rejects_dangerous_schemes(personas, url):
    customer = person(personas.rep, "Web", "Site")
    client = client_for(personas.rep)
    response = client.patch(
        f"/api/v1/customers/people/{customer.pk}",
        {"website": url, "version": customer.version},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["status"] == 422
    assert Customer.objects.get(pk=customer.pk).website == ""


def test_website_accepts_https(personas):
    customer = organization(personas.rep, "PT Web")
    client = client_for(personas.rep)
    response = client.patch(
        f"/api/v1/customers/organizations/{customer.pk}",
        {"website": "https://example.co.id/", "version": customer.version},
        content_type="application/json",
    )
    assert response.status_code == 200
    html = client.get(f"/customers/organisations/{customer.pk}/").content.decode()
    assert 'href="https://example.co.id/"' in html


def test_detector_catches_live_markup():
    parser = LiveMarkup()
    parser.feed('<p><img src=x onerror=alert(1)><a href="javascript:x">y</a><script>1</script></p>')
    assert len(parser.found) == 3
