"""Canned replies: placeholders such as {customer_name} filled for one ticket.

Only the names below are replaced (a regular expression, not str.format, so a reply text can
never reach attributes of the objects behind it)."""

import re
from typing import Any

from django.conf import settings

from relasi.core import links

PLACEHOLDER = re.compile(r"\{(\w+)\}")
NAMES = [
    "customer_name",
    "customer_first_name",
    "ticket_number",
    "ticket_subject",
    "agent_name",
    "company_name",
    "portal_url",
]


def values(ticket: Any, agent: Any) -> dict[str, str]:
    customer = ticket.customer
    agent_name = (agent.get_full_name() or agent.get_username()) if agent is not None else ""
    return {
        "customer_name": customer.name,
        "customer_first_name": customer.first_name or customer.name.split(" ")[0],
        "ticket_number": ticket.number,
        "ticket_subject": ticket.subject,
        "agent_name": agent_name,
        "company_name": getattr(settings, "COMPANY_NAME", "") or "Relasi",
        "portal_url": links.absolute("/portal/"),
    }


def render(text: str, ticket: Any, agent: Any) -> str:
    known = values(ticket, agent)
    return PLACEHOLDER.sub(lambda m: known.get(m.group(1), m.group(0)), text)
