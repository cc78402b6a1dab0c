"""Dialogue scripts: a small text format for question guides with branches.

    # comment
    start: Apakah rice cooker menyala saat dicolokkan?
      > Tanyakan lampu indikator di depan.          (a hint for the agent)
      - Ya -> panas
      - Tidak -> END: Periksa kabel; bila tetap mati, buat klaim garansi.
    panas: Apakah nasi matang?
      - Ya -> END: Tidak ada kerusakan; jelaskan cara pakai.
      - Tidak -> END: Elemen pemanas rusak; buat klaim garansi.

The first step is where a run starts. `END` finishes the run; text after `END:` is the outcome
(suggested advice the agent can paste into a reply)."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STEP = re.compile(r"^([A-Za-z0-9_][\w-]{0,39}):\s*(.+)$")
OPTION = re.compile(r"^\s*-\s*(.+?)\s*->\s*(.+?)\s*$")
HINT = re.compile(r"^\s*>\s*(.+)$")
MAX_ANSWERS = 100


def parse(source: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """(start step key, steps) or ValidationError with the line at fault."""
    steps: dict[str, dict[str, Any]] = {}
    start = ""
    current: dict[str, Any] | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if (m := OPTION.match(line)) and current is not None:
            label, target = m.group(1), m.group(2)
            if target.upper().startswith("END"):
                outcome = target[3:].lstrip(" :").strip()
                current["options"].append({"label": label, "next": "", "outcome": outcome})
            else:
                current["options"].append({"label": label, "next": target, "outcome": ""})
            continue
        if (m := HINT.match(line)) and current is not None:
            current["hint"] = (current["hint"] + " " + m.group(1)).strip()
            continue
        if (m := STEP.match(line)) and not line[0].isspace():
            key = m.group(1)
            if key in steps:
                raise ValidationError(
                    _("Line %(n)s: the step “%(key)s” is defined twice.")
                    % {"n": number, "key": key}
                )
            current = {"question": m.group(2).strip(), "hint": "", "options": []}
            steps[key] = current
            start = start or key
            continue
        raise ValidationError(
            _(
                "Line %(n)s is not a step (“key: question”), an option (“- answer -> next”) "
                "or a hint (“> text”)."
            )
            % {"n": number}
        )
    if not steps:
        raise ValidationError(_("The script has no steps."))
    for key, step in steps.items():
        if not step["options"]:
            raise ValidationError(_("The step “%(key)s” has no answers.") % {"key": key})
        for option in step["options"]:
            if option["next"] and option["next"] not in steps:
                raise ValidationError(
                    _("The step “%(key)s” leads to “%(target)s”, which does not exist.")
                    % {"key": key, "target": option["next"]}
                )
    return start, steps
