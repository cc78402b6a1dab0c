"""Knowledge-base pages for staff: articles (both translations on one form) and categories."""

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as gl

from relasi.core.filters import FilterSet
from relasi.core.viewsets import DELETE, Column
from relasi.service import actions
from relasi.service.choices import ArticleStatus, ArticleVisibility, Language
from relasi.service.forms import ArticleCategoryForm, ArticleForm
from relasi.service.models import Article, ArticleCategory
from relasi.service.views.config import ConfigViewSet


class ArticleFilterSet(FilterSet):
    q = django_filters.CharFilter(label=gl("Search"), method="filter_q")
    category = django_filters.ModelChoiceFilter(
        label=gl("Category"), queryset=ArticleCategory.objects.all()
    )
    visibility = django_filters.ChoiceFilter(
        label=gl("Visibility"), choices=ArticleVisibility.choices
    )
    status = django_filters.ChoiceFilter(label=gl("Status"), choices=ArticleStatus.choices)
    language = django_filters.ChoiceFilter(
        label=gl("Has a translation in"),
        choices=Language.choices,
        field_name="translations__language",
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        from relasi.service.search import search_articles

        if not value:
            return queryset
        ids = [a.pk for a in search_articles(value, public_only=False, limit=200)]
        return queryset.filter(pk__in=ids)


def _languages(article: Article) -> str:
    return ", ".join(sorted(tr.language.upper() for tr in article.translations.all()))


class ArticleViewSet(ConfigViewSet):
    model = Article
    module = "service"
    url_name = "article"
    detail_fields: list[str] = []
    form_class = ArticleForm
    filterset_class = ArticleFilterSet
    scoped = False
    default_order = "-updated_at"
    detail_template = "service/article_detail.html"
    form_template = "service/article_form.html"
    select_related = ("category",)
    prefetch_related = ("translations",)
    columns = [
        Column("title", gl("Title"), accessor=str, link=True),
        Column("category", gl("Category")),
        Column(
            "visibility", gl("Visibility"), accessor="get_visibility_display", order="visibility"
        ),
        Column("status", gl("Status"), accessor="get_status_display", order="status"),
        Column("languages", gl("Languages"), accessor=_languages),
        Column("view_count", gl("Views"), order="view_count"),
        Column("updated_at", gl("Updated"), order="updated_at"),
    ]
    bulk_actions = [DELETE]

    def create(self, actor: Any, form: Any) -> Article:
        data, _tags = self.form_data(form)
        return actions.save_article(actor, None, data, form.translations())

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Article:
        data, _tags = self.form_data(form)
        return actions.save_article(actor, obj, data, form.translations(), expected_version=version)

    def delete(self, actor: Any, obj: Any) -> None:
        actions.delete_article(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {"translations": obj.translations.all()}


class ArticleCategoryViewSet(ConfigViewSet):
    model = ArticleCategory
    module = "service"
    url_name = "articlecategory"
    form_class = ArticleCategoryForm
    default_order = "order"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("name_id", gl("Name (Bahasa Indonesia)")),
        Column("slug", gl("Address")),
        Column("order", gl("Order"), order="order"),
    ]
    detail_fields = ["name", "name_id", "slug", "order"]
