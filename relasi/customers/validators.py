"""Field validators of the customer database (used by the model, so forms, the API and every
action that calls full_clean() share them)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def not_in_future(value: dt.date | None) -> None:
    """A date of birth cannot be after today (in the configured time zone)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("A date of birth cannot be in the future."), code="date_in_future")
