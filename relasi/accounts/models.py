"""Users, teams, roles (module permissions + record visibility), API tokens and sessions."""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.choices import Visibility


class Team(models.Model):
    """A sales, marketing or service team; team visibility is scoped by it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A set of module permissions plus the record visibility its holders get."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    visibility = models.CharField(
        _("record visibility"), max_length=20, choices=Visibility.choices, default=Visibility.OWN
    )
    permissions = models.JSONField(_("module permissions"), default=dict, blank=True)
    require_2fa = models.BooleanField(_("require two-factor authentication"), default=False)
    max_discount_percent = models.DecimalField(
        _("maximum discount without approval (%)"), max_digits=5, decimal_places=2, default=0
    )
    # Not a module action: reading NIK or bank accounts is its own decision, apart from who
    # manages the privacy module (relasi/core/crypto.py, check "privacy.sensitive").
    may_view_sensitive = models.BooleanField(
        _("may see and change sensitive fields (NIK, bank account)"), default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(self.name)

    def allows(self, module: str, action: str) -> bool:
        return action in self.permissions.get(module, [])


class User(AbstractUser):
    """A person who signs in to Relasi."""

    email = models.EmailField(_("e-mail address"), unique=True)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Jakarta")
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_enabled = models.BooleanField(_("two-factor authentication on"), default=False)
    totp_last_step = models.BigIntegerField(default=0, editable=False)
    recovery_codes = models.JSONField(default=list, blank=True, editable=False)

    objects: UserManager = UserManager()  # type: ignore[assignment,misc]

    audit_exclude = ("password", "totp_secret", "totp_last_step", "recovery_codes", "last_login")

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def visibility(self) -> str:
        if self.is_superuser:
            return Visibility.ALL
        return self.role.visibility if self.role_id and self.role else Visibility.OWN

    def has_module_perm(self, module: str, action: str = "view") -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return bool(self.role_id and self.role and self.role.allows(module, action))

    @property
    def may_view_sensitive(self) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return bool(self.role_id and self.role and self.role.may_view_sensitive)

    @property
    def is_administrator(self) -> bool:
        return self.has_module_perm("admin", "change")

    @property
    def must_use_2fa(self) -> bool:
        return bool(self.role_id and self.role and self.role.require_2fa)

    def subordinate_ids(self) -> set[int]:
        """Ids of this user and everyone below them in the hierarchy (cached per instance)."""
        cached = getattr(self, "_subordinate_ids", None)
        if cached is not None:
            return cached
        children: dict[int, list[int]] = {}
        for uid, mid in User.objects.filter(manager__isnull=False).values_list("id", "manager_id"):
            children.setdefault(mid, []).append(uid)
        found = {self.pk}
        stack = [self.pk]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        self._subordinate_ids = found
        return found


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal access token: only its SHA-256 is stored; scopes are per module."""

    PREFIX = "rls_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def generate(cls, **fields: Any) -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls(key_prefix=raw[:10], key_hash=_hash_token(raw), **fields)
        return token, raw

    @classmethod
    def find(cls, raw: str) -> "ApiToken | None":
        return (
            cls.objects.active()
            .select_related("user", "user__role")
            .filter(key_hash=_hash_token(raw))
            .first()
        )

    def allows(self, module: str, write: bool) -> bool:
        scope = self.scopes.get(module) or self.scopes.get("*")
        if scope is None:
            return False
        return scope == "write" or not write


class UserSession(models.Model):
    """A signed-in session of a user, so they (and administrators) can see and end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
