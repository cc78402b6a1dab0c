"""Knowledge-base articles and their translations."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.service import search
from relasi.service.choices import ArticleStatus, Language
from relasi.service.models import Article, ArticleTranslation


def _unique_slug(base: str, exclude_pk: int | None = None) -> str:
    base = (slugify(base) or "artikel")[:100]
    slug, n = base, 2
    taken = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_article(
    actor: Any,
    article: Article | None,
    data: dict[str, Any],
    translations: dict[str, dict[str, str]],
    *,
    expected_version: int | None = None,
) -> Article:
    """Create or update an article and its translations ({"id": {title, summary, body}, …});
    a translation whose title and text are both empty is removed."""
    data = dict(data)
    wanted = {
        lang: tr
        for lang, tr in translations.items()
        if lang in Language.values and (tr.get("title") or tr.get("body"))
    }
    first_title = next((tr.get("title", "") for tr in wanted.values()), "")
    with transaction.atomic():
        if not data.get("slug"):
            data["slug"] = article.slug if article else _unique_slug(first_title)
        if data.get("status") == ArticleStatus.PUBLISHED and not (article and article.published_at):
            data["published_at"] = timezone.now()
        if article is None:
            data.setdefault("author", actor if getattr(actor, "pk", None) else None)
            article = records.create_record(actor, Article, data)
        else:
            article = records.update_record(actor, article, data, expected_version=expected_version)
        existing = {tr.language: tr for tr in article.translations.all()}
        touched = []
        for lang, values in wanted.items():
            tr = existing.get(lang) or ArticleTranslation(article=article, language=lang)
            tr.title = (values.get("title") or "").strip()[:200]
            tr.summary = (values.get("summary") or "").strip()[:300]
            tr.body = (values.get("body") or "").strip()
            tr.search_text = search.translation_text(tr)
            tr.full_clean(exclude=["article"])
            tr.save()
            touched.append(tr.pk)
        removed = [tr.pk for lang, tr in existing.items() if lang not in wanted]
        if removed:
            ArticleTranslation.objects.filter(pk__in=removed).delete()
            search.unindex_translations(removed)
        search.index_translations(touched)
        audit.record(
            actor, AuditAction.UPDATE, article, changes={"translations": [None, sorted(wanted)]}
        )
    return article


def delete_article(actor: Any, article: Article) -> None:
    ids = list(article.translations.values_list("pk", flat=True))
    records.delete_record(actor, article)
    search.unindex_translations(ids)


def count_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
