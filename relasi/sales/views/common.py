"""Small helpers shared by the sales views."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST  # noqa: F401  (re-exported)

from relasi.core.access import get_for_user
from relasi.core.views import require

CONFLICT = _(
    "This record was changed by someone else after you opened it. Reload it and try again."
)


def fetch(
    request: HttpRequest, queryset: Any, pk: int, action: str = "view", module: str = "sales"
) -> Any:
    require(request, module, action)
    return get_for_user(request.user, queryset, pk=pk)


def version_of(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def error_messages(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)
