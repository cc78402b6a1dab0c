"""Knowledge base: bilingual articles, indexed search, the public help centre (public and
published only, in the visitor's language), and staff pages."""

import pytest
from django.test import Client

from relasi.service import actions, search
from relasi.service.models import Article, ArticleCategory

pytestmark = pytest.mark.django_db


def article(
    slug, visibility="public", status="published", langs=("id", "en"), category=None, words=""
):
    texts = {
        "id": {
            "title": f"Cara klaim garansi {slug}",
            "summary": "Ringkas",
            "body": f"Langkah klaim garansi. {words}",
        },
        "en": {
            "title": f"How to claim the warranty {slug}",
            "summary": "Short",
            "body": f"Warranty steps. {words}",
        },
    }
    return actions.save_article(
        None,
        None,
        {"slug": slug, "visibility": visibility, "status": status, "category": category},
        {lang: texts[lang] for lang in langs},
    )


@pytest.fixture
def kb(db):
    cat = ArticleCategory.objects.create(name="Warranty", name_id="Garansi", slug="garansi")
    return {
        "public": article("rice-cooker", category=cat, words="magic com elemen pemanas"),
        "internal": article("sop-internal", visibility="internal", words="elemen rahasia"),
        "draft": article("draft-promo", status="draft", words="elemen promo"),
        "id_only": article("hanya-id", langs=("id",), category=cat, words="kipas angin"),
        "cat": cat,
    }


def test_translations_and_slugs(kb):
    a = kb["public"]
    assert a.published_at is not None and sorted(t.language for t in a.translations.all()) == [
        "en",
        "id",
    ]
    assert a.translation("en").title.startswith("How to") and a.translation("id").title.startswith(
        "Cara"
    )
    assert kb["id_only"].translation("en").language == "id"  # falls back to what exists
    again = actions.save_article(
        None,
        None,
        {"visibility": "public", "status": "draft"},
        {"id": {"title": "Cara klaim garansi rice-cooker", "body": "x"}},
    )
    assert again.slug != a.slug and again.slug.startswith("cara-klaim-garansi")
    actions.save_article(
        None,
        a,
        {"visibility": "public", "status": "published", "slug": a.slug},
        {"id": {"title": "Judul baru", "body": "isi"}},
        expected_version=a.version,
    )
    assert [t.language for t in a.translations.all()] == ["id"]  # the English text was emptied


def test_search_uses_the_index(kb):
    hits = search.search_articles("pemanas", public_only=False)
    assert [a.slug for a in hits] == ["rice-cooker"]
    found = {a.slug for a in search.search_articles("elemen", public_only=False)}
    assert found == {"rice-cooker", "sop-internal", "draft-promo"}
    assert {a.slug for a in search.search_articles("elemen", public_only=True)} == {"rice-cooker"}
    assert search.search_articles("", public_only=True) == []
    assert search.search_articles('"; DROP TABLE x; --', public_only=True) == []


def test_help_centre_shows_only_public_published_articles(kb):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    index = client.get("/help/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "How to claim the warranty rice-cooker" in html and "sop-internal" not in html
    assert client.get("/help/a/rice-cooker/").status_code == 200
    assert client.get("/help/a/sop-internal/").status_code == 404
    assert client.get("/help/a/draft-promo/").status_code == 404
    assert client.get("/help/c/garansi/").status_code == 200
    assert client.get("/help/c/none/").status_code == 404
    results = client.get("/help/", {"q": "elemen"}).content.decode()
    assert (
        "rice-cooker" in results and "sop-internal" not in results and "draft-promo" not in results
    )
    Article.objects.filter(pk=kb["public"].pk).update(view_count=0)
    client.get("/help/a/rice-cooker/")
    assert Article.objects.get(pk=kb["public"].pk).view_count == 1


def test_help_centre_speaks_the_visitors_language(kb):
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/help/a/rice-cooker/").content.decode()
    idn = Client(HTTP_ACCEPT_LANGUAGE="id").get("/help/a/rice-cooker/").content.decode()
    assert "How to claim the warranty" in en and "Cara klaim garansi" in idn
    fallback = Client(HTTP_ACCEPT_LANGUAGE="en").get("/help/a/hanya-id/").content.decode()
    assert (
        "Cara klaim garansi hanya-id" in fallback
        and "not yet available in your language" in fallback
    )


def test_help_centre_search_is_rate_limited(kb, settings):
    from relasi.service.views.helpcentre import SEARCH_LIMIT

    client = Client()
    for _i in range(SEARCH_LIMIT.limit):
        client.get("/help/", {"q": "garansi"})
    response = client.get("/help/", {"q": "garansi"})
    assert response.status_code == 429 and response["Retry-After"]


def test_article_text_is_escaped(db):
    a = actions.save_article(
        None,
        None,
        {"visibility": "public", "status": "published"},
        {
            "id": {
                "title": "<script>alert(1)</script>",
                "body": "<img src=x onerror=alert(1)>\n\n## Judul\n- satu",
            }
        },
    )
    html = Client().get(a.public_url()).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<li>satu</li>" in html


def test_staff_pages_and_article_picker(kb, world, as_user):
    client = as_user(world.a1)
    assert client.get("/service/kb/").status_code == 200
    assert client.get(f"/service/kb/{kb['internal'].pk}/").status_code == 200
    response = client.post(
        "/service/kb/new/",
        {
            "visibility": "public",
            "status": "published",
            "title_id": "Retur 7 hari",
            "body_id": "Syarat retur",
            "title_en": "",
            "body_en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Article.objects.filter(translations__title="Retur 7 hari").exists()
    bad = client.post(
        "/service/kb/new/", {"visibility": "public", "status": "draft", "title_en": "Only a title"}
    )
    assert bad.status_code == 400
    picker = client.get("/service/pick/article/", {"q": "elemen"}).content.decode()
    assert "data-insert-text" in picker and "/help/a/rice-cooker/" in picker
    assert picker.count("data-insert-text") == 1  # internal and draft articles are not offered
