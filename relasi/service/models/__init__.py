"""Service models, one module per area (the package keeps each file short)."""

from relasi.service.models.config import (
    BusinessHours,
    CannedReply,
    Category,
    DialogueScript,
    EscalationRule,
    Holiday,
    Queue,
    RoutingRule,
    SLAPolicy,
    TicketType,
)
from relasi.service.models.feedback import NpsCampaign, Survey
from relasi.service.models.kb import Article, ArticleCategory, ArticleTranslation
from relasi.service.models.portal import PortalLoginToken
from relasi.service.models.tickets import (
    Alert,
    EscalationLog,
    ScriptRun,
    Ticket,
    TicketAttachment,
    TicketCounter,
    TicketLink,
    TicketMessage,
    TicketRelation,
)

__all__ = [
    "Alert",
    "Article",
    "ArticleCategory",
    "ArticleTranslation",
    "BusinessHours",
    "CannedReply",
    "Category",
    "DialogueScript",
    "EscalationLog",
    "EscalationRule",
    "Holiday",
    "NpsCampaign",
    "PortalLoginToken",
    "Queue",
    "RoutingRule",
    "SLAPolicy",
    "ScriptRun",
    "Survey",
    "Ticket",
    "TicketAttachment",
    "TicketCounter",
    "TicketLink",
    "TicketMessage",
    "TicketRelation",
    "TicketType",
]
