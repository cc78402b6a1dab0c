"""Every state change of the service app lives here (house rule 2), one module per area."""

from relasi.service.actions.alerts import alert, mark_read
from relasi.service.actions.escalation import at_risk, check_sla
from relasi.service.actions.feedback import (
    create_survey,
    find_survey,
    send_csat_survey,
    start_nps_campaign,
    submit_survey,
    survey_state,
)
from relasi.service.actions.kb import count_view, delete_article, save_article
from relasi.service.actions.merge import merge_tickets, split_ticket
from relasi.service.actions.scripts import answer as answer_script
from relasi.service.actions.scripts import start_script
from relasi.service.actions.tickets import (
    add_attachment,
    add_customer_message,
    add_note,
    add_reply,
    assign,
    change_status,
    computed_fcr,
    create_ticket,
    delete_attachment,
    link_record,
    linkable_types,
    next_number,
    relate,
    related_tickets,
    set_fcr,
    unlink_record,
    unrelate,
    update_complaint,
    update_ticket,
)

__all__ = [
    "add_attachment",
    "add_customer_message",
    "add_note",
    "add_reply",
    "alert",
    "answer_script",
    "assign",
    "at_risk",
    "change_status",
    "check_sla",
    "computed_fcr",
    "count_view",
    "create_survey",
    "create_ticket",
    "delete_article",
    "delete_attachment",
    "find_survey",
    "link_record",
    "linkable_types",
    "mark_read",
    "merge_tickets",
    "next_number",
    "relate",
    "related_tickets",
    "save_article",
    "send_csat_survey",
    "set_fcr",
    "split_ticket",
    "start_nps_campaign",
    "start_script",
    "submit_survey",
    "survey_state",
    "unlink_record",
    "unrelate",
    "update_complaint",
    "update_ticket",
]
