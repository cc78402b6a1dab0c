"""The public help centre (/help/): published public articles in the visitor's language,
browse by category and search. No sign-in."""

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from relasi.core import audit
from relasi.core.throttle import Limit
from relasi.service import actions, search
from relasi.service.choices import ArticleStatus, ArticleVisibility
from relasi.service.models import Article, ArticleCategory

SEARCH_LIMIT = Limit("help-search", 60, 60)
PUBLIC = Q(visibility=ArticleVisibility.PUBLIC, status=ArticleStatus.PUBLISHED)


def public_articles():  # type: ignore[no-untyped-def]
    return Article.objects.filter(PUBLIC).prefetch_related("translations")


def _visitor(request: HttpRequest) -> None:
    """Signed-in portal customers see their portal links in the help centre's menu."""
    from relasi.service.views.portal import current_customer

    request.portal_customer = current_customer(request)  # type: ignore[attr-defined]


def _language() -> str:
    return (get_language() or "id")[:2]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    _visitor(request)
    query = request.GET.get("q", "").strip()[:100]
    results = None
    status = 200
    if query:
        ip = audit.client_ip(request) or "-"
        if SEARCH_LIMIT.blocked_for(ip):
            status, results = 429, []
        else:
            SEARCH_LIMIT.hit(ip)
            results = search.search_articles(query, public_only=True, language=_language())
    categories = ArticleCategory.objects.annotate(
        n=Count(
            "articles",
            filter=Q(
                articles__visibility=ArticleVisibility.PUBLIC,
                articles__status=ArticleStatus.PUBLISHED,
            ),
        )
    ).filter(n__gt=0)
    popular = public_articles().order_by("-view_count", "-id")[:8]
    response = render(
        request,
        "service/help/index.html",
        {
            "q": query,
            "results": results,
            "categories": categories,
            "popular": popular,
            "throttled": status == 429,
        },
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "60"
    return response


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    _visitor(request)
    found = ArticleCategory.objects.filter(slug=slug).first()
    if found is None:
        raise Http404
    articles = public_articles().filter(category=found).order_by("-published_at", "-id")
    return render(request, "service/help/category.html", {"category": found, "articles": articles})


@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    _visitor(request)
    found = public_articles().select_related("category").filter(slug=slug).first()
    if found is None:
        raise Http404
    translation = found.translation(_language())
    if translation is None:
        raise Http404
    actions.count_view(found)
    related = (
        public_articles().filter(category=found.category_id).exclude(pk=found.pk)[:5]
        if found.category_id
        else []
    )
    return render(
        request,
        "service/help/article.html",
        {
            "article": found,
            "translation": translation,
            "other_language": translation.language != _language(),
            "related": related,
        },
    )
