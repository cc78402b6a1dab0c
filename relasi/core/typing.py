"""Request types for annotations: views behind login get a `User`, API calls an `auth` user."""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from relasi.accounts.models import User


class AuthedRequest(HttpRequest):
    user: "User"  # type: ignore[assignment]
    htmx: Any


class ApiRequest(HttpRequest):
    auth: "User"
    user: "User"  # type: ignore[assignment]
