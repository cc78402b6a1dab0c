"""Walking a dialogue script on a ticket: each answer is saved on the ticket."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.service.models import DialogueScript, ScriptRun, Ticket
from relasi.service.scripts import MAX_ANSWERS


def start_script(actor: Any, ticket: Ticket, script: DialogueScript) -> ScriptRun:
    if not script.active or not script.start_step:
        raise ValidationError(_("This script is not available."))
    run = ScriptRun.objects.create(
        ticket=ticket,
        script=script,
        script_name=script.name,
        current_step=script.start_step,
        started_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor, AuditAction.UPDATE, ticket, message=f"script started: {script.name}"[:300])
    return run


def current_step(run: ScriptRun) -> dict[str, Any] | None:
    if run.finished or run.script is None:
        return None
    return run.script.step(run.current_step)


def answer(actor: Any, run: ScriptRun, option: int, note: str = "") -> ScriptRun:
    """Record the chosen answer of the current step and move to the next step (or finish)."""
    with transaction.atomic():
        run = (
            ScriptRun.objects.select_for_update(of=("self",))
            .select_related("script", "ticket")
            .get(pk=run.pk)
        )
        step = current_step(run)
        if step is None:
            raise ValidationError(_("This script run is finished."))
        options = step["options"]
        if not 0 <= option < len(options):
            raise ValidationError(_("Choose one of the answers."))
        chosen = options[option]
        run.answers = [
            *run.answers,
            {
                "step": run.current_step,
                "question": step["question"],
                "answer": chosen["label"],
                "note": (note or "").strip()[:500],
            },
        ]
        if chosen["next"] and len(run.answers) < MAX_ANSWERS:
            run.current_step = chosen["next"]
        else:
            run.finished = True
            run.finished_at = timezone.now()
            run.outcome = chosen["outcome"]
            run.current_step = ""
        run.save(update_fields=["answers", "current_step", "finished", "finished_at", "outcome"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            run.ticket,
            changes={"script": [step["question"][:100], chosen["label"][:100]]},
        )
    return run
