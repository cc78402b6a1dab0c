"""Password rules beyond Django's own (SECURITY.md check 1): no context words, at most 128."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTEXT_WORDS = ("relasi", "crm", "password", "sandi", "katasandi", "admin", "pt xyz", "ptxyz")


class ContextWordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower().replace(" ", "")
        for word in CONTEXT_WORDS:
            if word.replace(" ", "") in lowered and len(lowered) < len(word) + 8:
                raise ValidationError(
                    _("This password is too close to the name of this system or company."),
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Your password cannot be based on the name of this system or company.")


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("Your password can have at most %(max)d characters.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Use 12 to 128 characters; a long phrase is easiest to remember.")
