"""Upload checks (SECURITY.md check 22): size and type limits, extension plus content sniffing,
XLSX zip-bomb caps, sanitised names. Files are stored under var/media with random names and
served only through views that check access, as attachments with nosniff."""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# extension -> (content type, magic prefixes; empty tuple = text, checked for NUL bytes)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "csv": ("text/csv", ()),
    "txt": ("text/plain", ()),
}
ZIP_MAX_FILES = 1000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200


@dataclass
class UploadInfo:
    safe_name: str
    extension: str
    content_type: str


def safe_filename(name: str) -> str:
    """Strip paths, control characters and anything outside a conservative set."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .")
    return (base or "file")[:200]


def check_zip(fileobj: Any) -> None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_FILES:
                raise ValidationError(_("The file contains too many parts."))
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > ZIP_MAX_UNCOMPRESSED or total / packed > ZIP_MAX_RATIO:
                raise ValidationError(
                    _("The file expands to more than allowed (possible zip bomb).")
                )
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("The file is damaged or not what its name says.")) from exc
    finally:
        fileobj.seek(0)


def check_upload(
    upload: Any, allowed: set[str] | None = None, max_bytes: int | None = None
) -> UploadInfo:
    max_bytes = max_bytes or settings.MAX_UPLOAD_BYTES
    name = safe_filename(getattr(upload, "name", "") or "file")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    permitted = allowed or set(ALLOWED)
    if ext not in permitted or ext not in ALLOWED:
        raise ValidationError(
            _("Files of this type are not accepted (%(ext)s).") % {"ext": ext or "?"}
        )
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}
        )
    content_type, magics = ALLOWED[ext]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magics and not any(head.startswith(m) for m in magics):
        raise ValidationError(_("The file's content does not match its name."))
    if not magics and b"\x00" in head:
        raise ValidationError(_("The file's content does not match its name."))
    if ext in ("xlsx", "docx"):
        check_zip(upload)
    return UploadInfo(safe_name=name, extension=ext, content_type=content_type)
