"""The privacy app's tables, one module per area (purposes, the consent ledger, …)."""

from relasi.privacy.models.breach import BreachIncident, BreachSubject
from relasi.privacy.models.consent import (
    ConsentEvent,
    ConsentState,
    ContactLog,
    Suppression,
    SuppressionReason,
)
from relasi.privacy.models.dsr import DataRequest
from relasi.privacy.models.purpose import ChannelPolicy, Purpose
from relasi.privacy.models.retention import RetentionPolicy, RetentionRun
from relasi.privacy.models.ropa import ProcessingActivity

__all__ = [
    "BreachIncident",
    "BreachSubject",
    "ChannelPolicy",
    "ConsentEvent",
    "ConsentState",
    "ContactLog",
    "DataRequest",
    "ProcessingActivity",
    "Purpose",
    "RetentionPolicy",
    "RetentionRun",
    "Suppression",
    "SuppressionReason",
]
