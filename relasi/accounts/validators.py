"""Password rules beyond Django's own (SECURITY.md check 1): no context words, at most 128."""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTEXT_WORDS = ("relasi", "crm", "password", "sandi", "katasandi", "admin", "pt xyz", "ptxyz")


def _squash(text: str) -> str:
    return re.sub(r"[\s._-]+", "", text.lower())


class ContextWordValidator:
    """Words an attacker would try first (the product, "crm", the company name) do not count
    towards the minimum length: "relasi2024!!" is rejected, a long passphrase that happens
    to contain "crm" is not."""

    def __init__(self, min_remaining: int = 12) -> None:
        self.min_remaining = min_remaining

    def words(self) -> list[str]:
        extra = [
            getattr(settings, "COMPANY_NAME", ""),
            *getattr(settings, "PASSWORD_CONTEXT_WORDS", []),
        ]
        return [w for w in (_squash(x) for x in (*CONTEXT_WORDS, *extra)) if len(w) >= 3]

    def validate(self, password: str, user: Any = None) -> None:
        squashed = _squash(password)
        remaining = squashed
        found = False
        for word in sorted(self.words(), key=len, reverse=True):
            if word in remaining:
                found = True
                remaining = remaining.replace(word, "")
        if found and len(remaining) < self.min_remaining:
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
