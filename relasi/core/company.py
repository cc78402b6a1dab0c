"""The company's own details (Settings → Company): the letterhead every document sent to
customers carries. One row (`CompanyProfile.current()`); changes are audited like any record.

The logo is a small PNG or JPEG kept in the database and embedded into documents as a `data:`
URI, so the PDF renderer never fetches a file or a URL and every app machine prints the same
letterhead. SVG is refused: it can carry scripts and external references."""

import base64
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.core.models import CompanyProfile
from relasi.core.uploads import check_upload

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4000 * 4000  # decompression-bomb guard
EDITABLE = (
    "name",
    "address",
    "phone",
    "email",
    "website",
    "tax_id",
    "bank_name",
    "bank_account_name",
    "bank_account_number",
    "terms",
    "terms_id",
)


def read_logo(upload: Any) -> tuple[bytes, str]:
    """(bytes, content type) of an uploaded logo after checking it really is a PNG/JPEG."""
    info = check_upload(upload, {"png", "jpg", "jpeg"}, max_bytes=LOGO_MAX_BYTES)
    data = upload.read()
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise ValidationError(_("The logo is too large; use an image of at most 4000 px."))
            if image.format not in ("PNG", "JPEG"):
                raise ValidationError(_("The logo must be a PNG or JPEG image."))
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("The logo must be a PNG or JPEG image.")) from exc
    return data, info.content_type


def logo_data_uri(profile: CompanyProfile) -> str:
    """The logo as a data: URI (empty without a logo) for documents and previews."""
    data = bytes(profile.logo or b"")
    if not data or profile.logo_type not in ("image/png", "image/jpeg"):
        return ""
    return f"data:{profile.logo_type};base64,{base64.b64encode(data).decode('ascii')}"


def update_company(
    actor: Any,
    profile: CompanyProfile,
    data: dict[str, Any],
    *,
    logo: Any = None,
    remove_logo: bool = False,
    expected_version: int | None = None,
) -> CompanyProfile:
    """Save the company details (optimistic locking on `version`) and the logo."""
    clean = {k: (v or "").strip() if isinstance(v, str) else v for k, v in data.items()}
    clean = {k: v for k, v in clean.items() if k in EDITABLE}
    logo_bytes, logo_type = read_logo(logo) if logo is not None else (None, "")
    with transaction.atomic():
        updated = records.update_record(
            actor, profile, clean, expected_version=expected_version, audit_message="company"
        )
        if logo_bytes is not None or remove_logo:
            CompanyProfile.objects.filter(pk=updated.pk).update(
                logo=logo_bytes or b"", logo_type=logo_type if logo_bytes else ""
            )
            audit.record(
                actor,
                AuditAction.UPDATE,
                updated,
                changes={"logo": ["…", "new logo" if logo_bytes else "removed"]},
            )
            updated.refresh_from_db()
    return updated


def letterhead(language: str | None = None) -> dict[str, Any]:
    """Plain values for document templates (no model instance reaches them)."""
    profile = CompanyProfile.current()
    return {
        "name": profile.display_name,
        "address": profile.address,
        "phone": profile.phone,
        "email": profile.email,
        "website": profile.website,
        "tax_id": profile.tax_id,
        "logo": logo_data_uri(profile),
        "bank": {
            "name": profile.bank_name,
            "account_name": profile.bank_account_name,
            "account_number": profile.bank_account_number,
        },
        "has_bank": bool(profile.bank_name or profile.bank_account_number),
        "terms": profile.terms_for(language),
    }
