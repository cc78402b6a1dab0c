"""The one access layer: module permissions and record visibility.

Every list, detail, edit, delete, search, export, bulk and API path fetches records through
`visible_to()` / `get_for_user()`; a record outside the user's visibility is a 404, never a
403 that would confirm it exists.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from relasi.core.choices import Visibility

M = TypeVar("M", bound=models.Model)


def _prefix(model: type[models.Model]) -> str:
    """Models without their own owner (child rows) declare `access_via = "parent"`."""
    via = getattr(model, "access_via", "")
    return f"{via}__" if via else ""


def visibility_q(user: Any, model: type[models.Model]) -> Q | None:
    """The filter for `user` on `model`; None means everything is visible."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = user.visibility
    if scope == Visibility.ALL:
        return None
    p = _prefix(model)
    own = Q(**{f"{p}owner_id": user.pk})
    if scope == Visibility.TEAM:
        if not user.team_id:
            return own
        return own | Q(**{f"{p}team_id": user.team_id}) | Q(**{f"{p}owner__team_id": user.team_id})
    if scope == Visibility.SUBORDINATES:
        return Q(**{f"{p}owner_id__in": sorted(user.subordinate_ids())})
    return own


def visible_to(user: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    q = visibility_q(user, queryset.model)
    return queryset if q is None else queryset.filter(q)


def can_see(user: Any, obj: models.Model) -> bool:
    return visible_to(user, obj._meta.model._default_manager.filter(pk=obj.pk)).exists()


def get_for_user(user: Any, queryset: models.QuerySet[M], **lookup: Any) -> M:
    """Fetch one record the user may see, else 404 (never reveal that it exists)."""
    try:
        return visible_to(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise Http404 from exc


def require_perm(user: Any, module: str, action: str = "view") -> None:
    if not getattr(user, "is_authenticated", False) or not user.has_module_perm(module, action):
        raise PermissionDenied


# Permissions that are not one module action ("import": some import target accepts the user),
# registered by the app that owns the rule so the core stays below it.
_CHECKS: dict[str, Callable[[Any], bool]] = {}


def register_check(name: str, check: Callable[[Any], bool]) -> None:
    _CHECKS[name] = check


def may(user: Any, perm: str) -> bool:
    """The one answer to "may this user do that?", shared by views, the sidebar and the buttons
    templates show (`{% if user|may:"analytics.add" %}`), so nothing is offered that answers 403.
    `perm` is "module.action" or the name of a registered check."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # A registered check wins over the "module.action" reading, so an app can name its rule
    # after the module it belongs to ("privacy.sensitive").
    if (check := _CHECKS.get(perm)) is not None:
        return bool(check(user))
    if "." in perm:
        module, action = perm.split(".", 1)
        return bool(user.has_module_perm(module, action))
    return False
