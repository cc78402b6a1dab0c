"""The privacy app's tables, one module per area (purposes, the consent ledger, …)."""

from relasi.privacy.models.consent import (
    ConsentEvent,
    ConsentState,
    ContactLog,
    Suppression,
    SuppressionReason,
)
from relasi.privacy.models.purpose import ChannelPolicy, Purpose

__all__ = [
    "ChannelPolicy",
    "ConsentEvent",
    "ConsentState",
    "ContactLog",
    "Purpose",
    "Suppression",
    "SuppressionReason",
]
