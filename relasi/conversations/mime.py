"""An e-mail as the mailbox hands it over (RFC 5322 bytes) → `actions.Inbound`.

Never raises: a malformed message gives what could be read (the headers that parse, the text
that decodes, the parts that can be found), and the defects go to the log and to `meta`.
The text body is the text/plain part when there is one, else text drawn from the HTML part;
the HTML is kept for `actions.receive` to sanitise. Bounces (a delivery-status report, a
message from MAILER-DAEMON) and automatic replies (RFC 3834 `Auto-Submitted`, `X-Autoreply`,
`Precedence: bulk`) are marked so they open nothing and stop no clock."""

import datetime as dt
import hashlib
import html as htmllib
import logging
import re
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from relasi.conversations.actions import Inbound, InboundFile
from relasi.conversations.choices import MessageKind

log = logging.getLogger("relasi.conversations.mime")
_MSGID = re.compile(r"<[^<>\s]+>")
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
# Labels that lie: mail declared Latin-1 or ASCII is nearly always Windows-1252 in practice
# (what browsers do too, per the WHATWG encoding standard).
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
                    "ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030"}  # fmt: skip


def synthetic_id(raw: bytes) -> str:
    """A stable id for a message that has no Message-ID: the hash of its bytes, so the same
    message synced again (a new UIDVALIDITY, another folder) is still the same message."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@relasi.invalid>"


def parse(raw: bytes, *, fallback_id: str = "", meta: dict[str, Any] | None = None) -> Inbound:
    """Read one message; `fallback_id` is used when it carries no Message-ID."""
    meta = dict(meta or {})
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; this is a last resort
        log.warning("unreadable message", extra={"event": "imap.unreadable", "error": repr(exc)})
        meta["defects"] = [f"unparseable: {type(exc).__name__}"]
        text = _decode(raw, "utf-8")
        return Inbound(sender="", body=text[:100_000], external_id=fallback_id, meta=meta)
    return _from_message(msg, raw, fallback_id, meta)


def _from_message(msg: Message, raw: bytes, fallback_id: str, meta: dict[str, Any]) -> Inbound:
    sender, sender_name = _from(msg)
    external_id = _first_id(_raw(msg, "Message-ID")) or fallback_id or synthetic_id(raw)
    references = _MSGID.findall(_raw(msg, "References"))[-50:]
    in_reply_to = _first_id(_raw(msg, "In-Reply-To"))
    body, html, attachments, original_id = _content(msg)
    kind = classify(msg, sender)
    if kind == MessageKind.BOUNCE:
        meta["bounce"] = _delivery_status(msg)
        if original_id and not in_reply_to:
            in_reply_to = original_id  # the bounce threads into the conversation it is about
    defects = _defects(msg)
    if defects:
        meta["defects"] = defects[:20]
        log.info("message with defects", extra={"event": "imap.defects", "defects": defects[:5]})
    return Inbound(
        sender=sender,
        sender_name=sender_name,
        body=body,
        html=html,
        subject=" ".join(_header(msg, "Subject").split())[:300],
        external_id=external_id,
        in_reply_to=in_reply_to,
        references=references,
        at=_date(msg),
        kind=kind,
        attachments=attachments,
        meta=meta,
    )


# --- headers ------------------------------------------------------------------------------------
def _raw(msg: Message, name: str) -> str:
    """A header's text as it came (for ids and keywords, which are ASCII): no parsing, cheap."""
    name = name.lower()
    for key, value in msg.raw_items() if hasattr(msg, "raw_items") else msg.items():
        if key.lower() == name:
            return _clean(" ".join(str(value).split()))
    return ""


def _header(msg: Message, name: str) -> str:
    """A header's decoded value; a header too broken to decode gives its raw text, never raises."""
    if name not in msg:
        return ""  # parsing a header is the costly part: skip the ones that are absent
    try:
        value = msg.get(name)
        return "" if value is None else _clean(str(value))
    except Exception:
        for key, value in msg.raw_items() if hasattr(msg, "raw_items") else []:
            if key.lower() == name.lower():
                return _clean(str(value))
        return ""


def _clean(text: str) -> str:
    """Raw 8-bit bytes in a header come through as surrogates: decode them as the body would."""
    try:
        text.encode("utf-8")
        return text.replace("\x00", "")
    except UnicodeEncodeError:
        pass
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # lone surrogates that were never bytes
        data = text.encode("utf-8", "replace")
    return _decode(data, "utf-8").replace("\x00", "")


def _first_id(value: str) -> str:
    found = _MSGID.search(value or "")
    if found:
        return found.group(0)
    bare = (value or "").strip().split()
    return f"<{bare[0].strip('<>')}>" if bare and "@" in bare[0] else ""


def _from(msg: Message) -> tuple[str, str]:
    try:
        header = msg.get("From")
        addresses = getattr(header, "addresses", ())
        if addresses and addresses[0].addr_spec and "@" in addresses[0].addr_spec:
            return _clean(addresses[0].addr_spec), _clean(addresses[0].display_name or "")
    except Exception:  # noqa: S110 (the plain parse below is the fallback)
        pass
    value = _header(msg, "From") or _header(msg, "Sender") or _header(msg, "Return-Path")
    pairs = getaddresses([value])
    for name, address in pairs:
        if "@" in address:
            return address, name
    return value.strip()[:254], ""


def _date(msg: Message) -> dt.datetime | None:
    value = _raw(msg, "Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    # A wildly wrong clock (a spam tool, 1970) would sort the thread oddly: keep it in reason.
    if (
        not dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
        < when
        < dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    ):
        return None
    return when


def classify(msg: Message, sender: str) -> str:
    """normal, bounce or automatic reply (RFC 3464 reports, RFC 3834 headers, common habits)."""
    ctype = _content_type(msg)
    local = sender.partition("@")[0].lower()
    report = ctype == "multipart/report" and "delivery-status" in _param(msg, "report-type")
    if report or local in _DAEMONS:
        return MessageKind.BOUNCE
    auto = _raw(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return MessageKind.AUTO_REPLY
    if "X-Autoreply" in msg or "X-Autorespond" in msg:
        return MessageKind.AUTO_REPLY
    if _raw(msg, "Precedence").strip().lower() in ("bulk", "auto_reply", "junk"):
        return MessageKind.AUTO_REPLY
    return MessageKind.NORMAL


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"


def _param(part: Message, name: str) -> str:
    try:
        return str(part.get_param(name, "") or "").lower()
    except Exception:
        return ""


def _defects(msg: Message) -> list[str]:
    found = []
    try:
        for part in msg.walk():
            found += [type(d).__name__ for d in getattr(part, "defects", [])]
    except Exception as exc:
        found.append(type(exc).__name__)
    return found


# --- content ------------------------------------------------------------------------------------
def _content(msg: Message) -> tuple[str, str, list[InboundFile], str]:
    """(text, html, files, the Message-ID of a bounced original)."""
    plain_parts: list[Message] = []
    html_part = None
    files: list[InboundFile] = []
    original_id = ""
    for part in _leaves(msg):
        try:
            ctype = _content_type(part)
            disposition = (part.get_content_disposition() or "").lower()
            filename = _filename(part)
            if ctype in ("message/rfc822", "text/rfc822-headers"):
                original_id = original_id or _original_id(part)
                if ctype == "message/rfc822":
                    files.append(_file(part, filename or "message.eml", b""))
                continue
            if ctype == "message/delivery-status":
                continue
            is_body = disposition != "attachment" and not filename
            if ctype == "text/plain" and is_body:
                plain_parts.append(part)  # Apple Mail splits the text around inline images
            elif ctype == "text/html" and is_body and html_part is None:
                html_part = part
            elif not is_body or ctype.split("/")[0] not in ("text", "multipart"):
                files.append(_file(part, filename, None))
        except Exception as exc:
            log.info("unreadable part", extra={"event": "imap.bad_part", "error": repr(exc)})
    html = _text_of(html_part) if html_part is not None else ""
    text = "\n".join(_text_of(p).strip("\r\n") for p in plain_parts)
    if not text.strip() and html:
        text = html_to_text(html)
    return text.strip("\r\n")[:200_000], html[:500_000], files, original_id


def _leaves(msg: Message) -> list[Message]:
    """The message's parts that are not containers, without looking inside an attached message
    (a forwarded mail's text is not this mail's text; it is kept whole as an .eml file)."""
    out: list[Message] = []

    def visit(part: Message, depth: int) -> None:
        ctype = _content_type(part)
        if depth > 30 or ctype.startswith("message/") or not part.is_multipart():
            out.append(part)
            return
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                visit(child, depth + 1)

    try:
        visit(msg, 0)
    except Exception:
        return out or [msg]
    return out


def _filename(part: Message) -> str:
    try:
        return str(part.get_filename() or "")
    except Exception:
        return ""


def _file(part: Message, name: str, fallback: bytes | None) -> InboundFile:
    ctype = _content_type(part)
    if ctype == "message/rfc822":
        inner = part.get_payload(0) if part.is_multipart() else part.get_payload()
        content = inner.as_bytes() if isinstance(inner, Message) else str(inner).encode()
    else:
        content = _payload(part)
    if not name:
        ext = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}.get(ctype, "")
        name = f"attachment{ext}"
    cid = _header(part, "Content-ID").strip()
    return InboundFile(name=name, content=content, content_type=ctype, content_id=cid)


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _text_of(part: Message) -> str:
    data = _payload(part)
    charset = _param(part, "charset") or "utf-8"
    return _decode(data, charset)


def _decode(data: bytes, charset: str) -> str:
    """Bytes in a declared charset, tolerant of wrong labels and unknown charsets."""
    charset = (charset or "utf-8").strip().strip('"').lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    tries = [charset, "utf-8", "cp1252"] if charset != "utf-8" else ["utf-8", "cp1252"]
    for name in tries:
        try:
            return data.decode(name).replace("\x00", "")  # PostgreSQL refuses NUL in text
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1").replace("\x00", "")  # every byte is a character


def _original_id(part: Message) -> str:
    try:
        if _content_type(part) == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, Message):
                return _first_id(_raw(inner, "Message-ID"))
            return ""
        headers = HeaderParser(policy=policy.default).parsestr(
            _decode(_payload(part), "utf-8"), headersonly=True
        )
        return _first_id(_raw(headers, "Message-ID"))
    except Exception:
        return ""


def _delivery_status(msg: Message) -> dict[str, str]:
    """The failed recipient, status code and action of a delivery-status report (RFC 3464)."""
    for part in msg.walk():
        if _content_type(part) != "message/delivery-status":
            continue
        fields: dict[str, str] = {}
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        text = "\n".join(b.as_string() if isinstance(b, Message) else str(b) for b in blocks)
        if not text:
            text = _decode(_payload(part), "utf-8")
        for line in text.splitlines():
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if sep and key in ("final-recipient", "original-recipient", "action", "status"):
                value = value.strip()
                if key.endswith("recipient"):
                    value = value.split(";")[-1].strip()
                fields.setdefault(key.replace("-", "_"), value[:254])
        return fields
    return {}


# --- HTML → text --------------------------------------------------------------------------------
class _Text(HTMLParser):
    BLOCKS = frozenset(
        ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
         "blockquote", "pre", "hr")
    )  # fmt: skip
    SKIP = frozenset(("script", "style", "head", "title", "template"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))
    lines = [" ".join(line.split()) for line in "".join(parser.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
