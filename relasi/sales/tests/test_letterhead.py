"""Quote documents carry the company's letterhead from Settings → Company (never "Relasi"),
in the customer's language, and a DRAFT mark while a discount waits for approval."""

import io

import pytest
from PIL import Image

from relasi.core import company
from relasi.core.models import CompanyProfile
from relasi.customers.tests.factories import person
from relasi.sales import quoting
from relasi.sales.actions import quotes as actions
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 78, 121)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def profile(db):
    p = CompanyProfile.current()
    for k, v in {
        "name": "PT Sinar Jaya Abadi",
        "address": "Jl. Asia Afrika 8\nBandung 40111",
        "tax_id": "02.345.678.9-123.000",
        "bank_name": "Bank Mandiri",
        "bank_account_name": "PT Sinar Jaya Abadi",
        "bank_account_number": "130-00-1234567-8",
        "terms": "Payment within 14 days.",
        "terms_id": "Pembayaran dalam 14 hari.",
    }.items():
        setattr(p, k, v)
    p.logo, p.logo_type = png(), "image/png"
    p.save()
    return p


def quote_for(personas, language="en", disc="0"):
    p = f.pipeline()
    customer = person(personas.rep, "Rina", "Wati", emails=["rina@example.test"])
    customer.preferred_language = language
    customer.save(update_fields=["preferred_language"])
    deal = f.deal(personas.rep, p, customer=customer)
    return actions.create_quote(
        personas.rep,
        deal,
        lines=[
            {"description": "Rice cooker", "quantity": 2, "unit_price": "450000",
             "discount_percent": disc, "tax_rate": "11"}
        ],
    )  # fmt: skip


def test_the_letterhead_comes_from_the_company_settings(personas, profile):
    html = quoting.render_html(quote_for(personas))
    assert "PT Sinar Jaya Abadi" in html and "Relasi" not in html
    assert "Jl. Asia Afrika 8<br>Bandung 40111" in html
    assert "NPWP 02.345.678.9-123.000" in html
    assert "Bank Mandiri" in html and "130-00-1234567-8" in html
    assert 'src="data:image/png;base64,' in html
    assert "Payment within 14 days." in html and "DRAFT" not in html


def test_the_document_speaks_the_customers_language(personas, profile):
    html = quoting.render_html(quote_for(personas, language="id"))
    assert '<html lang="id">' in html
    assert "Pembayaran dalam 14 hari." in html and "Payment within 14 days." not in html


def test_without_settings_the_seller_is_not_called_relasi(personas, settings):
    settings.COMPANY_NAME = ""
    html = quoting.render_html(quote_for(personas))
    assert '<strong class="company"></strong>' in html and "Relasi" not in html


def test_a_discount_awaiting_approval_prints_a_draft_mark(personas, profile):
    q = quote_for(personas, disc="25")  # above the Sales role's 10 %
    assert quoting.is_draft(q)
    assert 'class="relasi-draft-mark"' in quoting.render_html(q)
    q = actions.request_approval(personas.rep, q)
    html = quoting.render_html(q)
    assert "DRAFT" in html and "awaits approval" in html
    assert quoting.render_pdf(q).startswith(b"%PDF")
    q = actions.decide(personas.manager, q, True)
    assert not quoting.is_draft(q) and "relasi-draft-mark" not in quoting.render_html(q)


def test_a_draft_mark_in_indonesian_and_whatever_the_template(personas, profile):
    from relasi.sales.models import QuoteTemplate

    q = quote_for(personas, language="id", disc="25")
    q.template = QuoteTemplate.objects.create(name="Bare", body="<p>{{ quote.number }}</p>")
    q.save(update_fields=["template"])
    html = quoting.render_html(q)
    assert "DRAF" in html and "menunggu persetujuan" in html


def test_pdf_with_the_logo_renders(personas, profile):
    assert quoting.render_pdf(quote_for(personas)).startswith(b"%PDF")


def test_logo_must_be_a_real_png_or_jpeg():
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    data, kind = company.read_logo(SimpleUploadedFile("logo.png", png()))
    assert kind == "image/png" and data.startswith(b"\x89PNG")
    for name, content in (
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("logo.png", b"\x89PNG\r\n\x1a\n not really"),
        ("logo.jpg", b"GIF89a"),
    ):
        with pytest.raises(ValidationError):
            company.read_logo(SimpleUploadedFile(name, content))


def test_external_resources_are_refused_without_breaking_the_pdf(personas, profile, monkeypatch):
    from urllib import request

    from relasi.sales.models import QuoteTemplate

    opened = []
    original = request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(request.OpenerDirector, "open", spy)
    q = quote_for(personas)
    q.template = QuoteTemplate.objects.create(
        name="Fetching",
        body='<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">'
        '<img src="{{ company.logo }}">{{ quote.number }}',
    )
    q.save(update_fields=["template"])
    assert quoting.render_pdf(q).startswith(b"%PDF")
    # Only the inline logo was loaded: neither the URL nor the file was even tried.
    assert opened and all(str(url).startswith("data:") for url in opened)
