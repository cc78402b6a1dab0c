"""The knowledge base: articles in categories, each with a Bahasa Indonesia and/or an English
translation, internal (staff) or public (help centre and portal), draft or published."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relasi.core.models import TimestampedModel, VersionedModel
from relasi.service.choices import ArticleStatus, ArticleVisibility, Language
from relasi.service.models.config import BilingualName


class ArticleCategory(BilingualName):
    """A section of the knowledge base and the help centre."""

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")


class Article(TimestampedModel, VersionedModel):
    """One article; its text lives in one translation per language."""

    slug = models.SlugField(_("address"), max_length=120, unique=True)
    category = models.ForeignKey(
        ArticleCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=ArticleVisibility.choices,
        default=ArticleVisibility.INTERNAL,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["visibility", "status"], name="article_public_idx"),
        ]

    def __str__(self) -> str:
        tr = self.translation()
        return tr.title if tr else self.slug

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("service:article_detail", args=[self.pk])

    def public_url(self) -> str:
        from django.urls import reverse

        return reverse("help:article", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return (
            self.visibility == ArticleVisibility.PUBLIC and self.status == ArticleStatus.PUBLISHED
        )

    def translation(self, language: str | None = None) -> "ArticleTranslation | None":
        """The translation in `language` (default: the active one), else any other."""
        wanted = (language or get_language() or "id")[:2]
        found = list(self.translations.all())
        for tr in found:
            if tr.language == wanted:
                return tr
        return found[0] if found else None

    def publish_now(self) -> None:
        if self.status == ArticleStatus.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()


class ArticleTranslation(models.Model):
    """The article's title and text in one language."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. Blank lines separate paragraphs; '## ' starts a heading and "
            "'- ' a list item."
        ),
    )
    search_text = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("article translation")
        verbose_name_plural = _("article translations")
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="article_one_per_language")
        ]

    def __str__(self) -> str:
        return self.title
