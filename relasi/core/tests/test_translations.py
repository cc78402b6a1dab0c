"""Every user-visible string ships in Bahasa Indonesia (house rule 12).

Extracts the msgids the way `makemessages` does — Python sources with the gettext keywords
Relasi uses (`gl` is the short alias of gettext_lazy), templates through Django's own
`templatize` — and checks each one has a non-empty translation in the catalogue. Babel's
extractor reads the sources, so no GNU gettext is needed."""

import io
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
KEYWORDS = {
    "_": None,
    "gl": None,
    "gettext": None,
    "gettext_lazy": None,
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _python_messages(source: str) -> list[tuple[str | None, str]]:
    found = []
    for _lineno, func, message, _comments in extract_python(
        io.BytesIO(source.encode()), KEYWORDS, [], {}
    ):
        spec = KEYWORDS.get(func)
        context = None
        parts = message if isinstance(message, tuple) else (message,)
        if spec and isinstance(spec[0], tuple):  # a context first
            context, parts = parts[0], parts[1:]
        if parts and parts[0]:
            found.append((context, parts[0]))
    return found


def _sources() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT).parts
        if "tests" in rel or "migrations" in rel or "static" in rel or "locale" in rel:
            continue
        if path.suffix == ".py":
            out.append((path, path.read_text()))
        elif path.suffix in (".html", ".txt") and "templates" in rel:
            # templatize keeps the template's indentation, which Python's tokenizer rejects.
            code = templatize(path.read_text(), origin=str(path))
            out.append((path, "\n".join(line.lstrip() for line in code.splitlines())))
    return out


def test_every_string_has_an_indonesian_translation():
    catalogue = read_po(CATALOGUE.open("rb"), locale="id")
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and (m.string if isinstance(m.string, str) else all(m.string))
    }
    missing = sorted(
        {
            f"{path.relative_to(ROOT)}: {msgid!r}" + (f" (context {ctx!r})" if ctx else "")
            for path, source in _sources()
            for ctx, msgid in _python_messages(source)
            if (ctx, msgid) not in translated
        }
    )
    assert not missing, f"{len(missing)} strings without an Indonesian translation:\n" + "\n".join(
        missing
    )


def test_catalogue_has_no_duplicate_entries():
    """Entries appended twice compile silently (the last wins) and drift apart when edited."""
    import re

    seen: set[tuple[str, str]] = set()
    duplicates = []
    for block in CATALOGUE.read_text().split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid or msgid.group(1).strip() == '""':
            continue
        context = re.search(r"^msgctxt (.*)$", block, re.M)
        key = (context.group(1) if context else "", msgid.group(1).strip())
        if key in seen:
            duplicates.append(key[1])
        seen.add(key)
    assert not duplicates, duplicates
