"""The import target registry: what a file can be imported into.

A target declares its fields (with labels and header synonyms, English and Indonesian), and
implements `begin()` (load what duplicate checks need, once), `clean()` (validate and normalise
one row), `write()` (bulk-write a chunk) and `undo()`. Later apps (orders, products, leads,
tickets) register their own targets the same way; the wizard, API, engine and error reports
are shared."""

import abc
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from rapidfuzz import fuzz, process

CUSTOM_PREFIX = "cf:"


@dataclass
class TargetField:
    key: str
    label: Any
    synonyms: tuple[str, ...] = ()
    multi: bool = False  # several columns may map here ("Phone 1", "Phone 2")
    required: bool = False
    help: Any = ""


@dataclass
class ChunkResult:
    """What `write()` did with one chunk. `errors` are rows rejected at write time (line, reason,
    cells); `warnings` are rows written with something to report and `duplicates` rows skipped
    because they matched a record (line, reason, cells, the record's id or None)."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[int, str, list[str]]] = field(default_factory=list)
    warnings: list[tuple[int, str, list[str], int | None]] = field(default_factory=list)
    duplicates: list[tuple[int, str, list[str], int | None]] = field(default_factory=list)


class ImportTarget(abc.ABC):
    """What a record type must provide to be importable (people, organisations, orders, …)."""

    key: str = ""
    label: Any = ""
    module: str = ""
    permission: str = "import"
    model: type[models.Model]

    @abc.abstractmethod
    def base_fields(self) -> list[TargetField]: ...

    def fields(self) -> list[TargetField]:
        from relasi.core import customfields

        out = list(self.base_fields())
        for cf in customfields.definitions(self.model):
            out.append(
                TargetField(
                    CUSTOM_PREFIX + cf.key,
                    cf.display_label,
                    synonyms=tuple(s for s in (cf.label, cf.label_id, cf.key) if s),
                )
            )
        return out

    def check_mapping(self, keys: set[str]) -> str:
        """Why a mapping onto field `keys` cannot run ("" when it can): by default, every
        required field needs a column."""
        from django.utils.translation import gettext as _

        missing = [str(f.label) for f in self.base_fields() if f.required and f.key not in keys]
        if missing:
            return _("Map a column to: %(fields)s.") % {"fields": ", ".join(missing)}
        return ""

    # The engine calls these; `ctx` is whatever begin() returns.
    @abc.abstractmethod
    def begin(self, job: Any, *, dry_run: bool) -> Any: ...

    @abc.abstractmethod
    def clean(self, ctx: Any, values: dict[str, list[str]]) -> Any: ...

    @abc.abstractmethod
    def write(self, ctx: Any, job: Any, rows: list[tuple[int, Any, list[str]]]) -> ChunkResult: ...

    @abc.abstractmethod
    def undo(self, job: Any, actor: Any) -> dict[str, int]: ...

    def finished(self, job: Any) -> None:  # noqa: B027 - an optional hook, empty by default
        """Called once an import (not a dry run) has written its last chunk."""

    def record_url(self, object_id: int) -> str:
        """The page of a record this target wrote or matched ("" when it has none)."""
        return ""


REGISTRY: dict[str, ImportTarget] = {}


def register(target_class: type[ImportTarget]) -> type[ImportTarget]:
    REGISTRY[target_class.key] = target_class()
    return target_class


def get(key: str) -> ImportTarget | None:
    return REGISTRY.get(key)


def choices(user: Any) -> list[ImportTarget]:
    return [t for t in REGISTRY.values() if user.has_module_perm(t.module, t.permission)]


# --- mapping suggestions ------------------------------------------------------------------------
_NUMBERED = re.compile(r"[\s_#.-]*\(?\d{1,2}\)?$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def header_key(text: str) -> str:
    """'No. HP 2' -> 'no hp', 'E-mail' -> 'e mail', 'Tanggal_Lahir' -> 'tanggal lahir'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = _NUMBERED.sub("", text.strip())
    return _NON_WORD.sub(" ", text).strip()


def suggest(headers: list[str], fields: list[TargetField]) -> dict[str, str]:
    """Column index (as a string) -> field key, from synonyms first, then fuzzy matching."""
    names: dict[str, TargetField] = {}
    for f in fields:
        for name in (f.key, str(f.label), *f.synonyms):
            names.setdefault(header_key(name), f)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    pending: list[tuple[int, str]] = []
    for i, header in enumerate(headers):
        key = header_key(header)
        found = names.get(key) or names.get(key.replace(" ", ""))
        if found and (found.multi or found.key not in taken):
            mapping[str(i)] = found.key
            taken.add(found.key)
        elif key:
            pending.append((i, key))
    choices_ = list(names)
    for i, key in pending:
        hit = process.extractOne(key, choices_, scorer=fuzz.ratio, score_cutoff=80)
        if hit is None:
            continue
        f = names[hit[0]]
        if f.multi or f.key not in taken:
            mapping[str(i)] = f.key
            taken.add(f.key)
    return mapping


def apply_mapping(mapping: dict[str, str]) -> Callable[[list[str]], dict[str, list[str]]]:
    """A fast row -> {field: [values]} function for a mapping (compiled once per import)."""
    pairs = sorted((int(i), key) for i, key in mapping.items() if key and str(i).isdigit())

    def run(cells: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        n = len(cells)
        for i, key in pairs:
            if i < n:
                value = cells[i]
                if value:
                    out.setdefault(key, []).append(value)
        return out

    return run
