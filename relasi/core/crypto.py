"""Field-level encryption at rest for sensitive fields (NIK, bank accounts, medical notes …).

- The crypto is `cryptography`'s Fernet (AES-128-CBC with a random IV, authenticated with
  HMAC-SHA256) behind a MultiFernet: the first key of RELASI_FIELD_KEYS encrypts, every key
  decrypts, and `rotate_field_keys` moves stored tokens to the first key. With no key configured
  (development, tests) one is derived from SECRET_KEY with HKDF; `check --deploy` warns about it.
- `EncryptedField` is a text column holding the Fernet token ("" stays ""). Loading a row never
  decrypts: the attribute holds a `Sealed` string, the token itself. Assigning plain text encrypts
  it at once (and fills the field's blind index), so whatever serialises a record (the audit
  trail, a merge snapshot, an export, a history table) only ever sees a token.
- `BlindIndexField` holds HMAC-SHA256 of the normalised value, keyed with a key derived from the
  field keys (never the encryption key itself), so exact lookups ("who has this NIK?", duplicate
  checks) use an index without decrypting anything: `lookup_q()`.
- Plaintext leaves only through `reveal(user, obj, field_name, channel)`: it checks the
  permission ("privacy.sensitive"), writes one `SensitiveRead` row and returns the value.
  `masked()` gives allowed users the last four characters ("•••• •••• •••• 1234").
- `register()` keeps the registry of sensitive fields (model, field, label, normaliser, validator);
  each app or sector pack registers its own in `AppConfig.ready()`, and `rotate_field_keys` and
  the docs' inventory walk it.
"""

import base64
import hashlib
import hmac
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.db.models.query_utils import DeferredAttribute
from django.http import Http404

PERMISSION = "privacy.sensitive"
MASK_CHAR = "•"
# A Fernet token is url-safe base64 of 0x80 (version) and a 64-bit timestamp whose high bytes are
# zero until 2106, so it starts "gAAAAA"; the shortest (empty plaintext) is 100 characters.
_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]{94,}={0,2}")
_SALT = b"relasi field keys"


class Unreadable(Exception):
    """A stored token that none of the configured keys decrypts (a key was retired too early)."""


class Sealed(str):
    """A Fernet token as loaded from the database: text, but never the plaintext."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Sealed({str(self)[:12]}…)"


def looks_like_token(value: Any) -> bool:
    return isinstance(value, Sealed) or (isinstance(value, str) and bool(_TOKEN.fullmatch(value)))


# --- keys -----------------------------------------------------------------------------------------
def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(secret)


def configured_keys() -> list[str]:
    return [str(k).strip() for k in getattr(settings, "RELASI_FIELD_KEYS", []) if str(k).strip()]


def uses_derived_key() -> bool:
    """True when no RELASI_FIELD_KEYS are set and the key comes from SECRET_KEY."""
    return not configured_keys()


def field_keys() -> tuple[str, ...]:
    """The Fernet keys in force, current first."""
    if keys := configured_keys():
        return tuple(keys)
    derived = _derive(settings.SECRET_KEY.encode(), b"relasi field encryption v1")
    return (base64.urlsafe_b64encode(derived).decode(),)


@lru_cache(maxsize=8)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


@lru_cache(maxsize=8)
def _index_keys(keys: tuple[str, ...]) -> tuple[bytes, ...]:
    # A separate key per field key, so the blind index never reuses the encryption key.
    return tuple(_derive(base64.urlsafe_b64decode(k), b"relasi blind index v1") for k in keys)


def fernet() -> MultiFernet:
    return _multi(field_keys())


def encrypt(plaintext: str) -> Sealed:
    return Sealed(fernet().encrypt(plaintext.encode()).decode())


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(str(token).encode()).decode()
    except InvalidToken as exc:
        raise Unreadable from exc


def rotate(token: str) -> Sealed:
    """The same plaintext under the current key (MultiFernet.rotate)."""
    try:
        return Sealed(fernet().rotate(str(token).encode()).decode())
    except InvalidToken as exc:
        raise Unreadable from exc


def blind_index(purpose: str, normalised: str, key: int = 0) -> str:
    """HMAC-SHA256 of one normalised value; `purpose` (app.model.field) keeps fields apart."""
    secret = _index_keys(field_keys())[key]
    message = f"{purpose}\x00{normalised}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def blind_indexes(purpose: str, normalised: str) -> list[str]:
    """The value's index under every key in force: lookups still find rows whose index was
    written under an older key until `rotate_field_keys` has rewritten them."""
    return [blind_index(purpose, normalised, i) for i in range(len(field_keys()))]


# --- the registry -------------------------------------------------------------------------------
def _strip(value: str) -> str:
    return value.strip()


@dataclass(frozen=True)
class Sensitive:
    """One registered sensitive field."""

    app_label: str
    model_name: str
    field_name: str
    label: Any
    normalise: Callable[[str], str] = _strip
    validate: Callable[[str], None] | None = None

    @property
    def key(self) -> str:
        return f"{self.app_label}.{self.model_name}.{self.field_name}"

    @property
    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.app_label, self.model_name)

    def clean(self, value: str) -> str:
        """The normalised value, validated (raises ValidationError); "" stays ""."""
        text = self.normalise(value or "")
        if text and self.validate is not None:
            self.validate(text)
        return text


_REGISTRY: dict[str, Sensitive] = {}


def register(
    model: type[models.Model],
    field_name: str,
    label: Any,
    *,
    normalise: Callable[[str], str] | None = None,
    validate: Callable[[str], None] | None = None,
) -> Sensitive:
    """Declare `model.field_name` (an EncryptedField) sensitive; call from AppConfig.ready()."""
    concrete = model._meta.concrete_model
    assert concrete is not None
    field = concrete._meta.get_field(field_name)
    if not isinstance(field, EncryptedField):
        raise TypeError(f"{concrete.__name__}.{field_name} is not an EncryptedField")
    entry = Sensitive(
        concrete._meta.app_label,
        concrete._meta.model_name or "",
        field_name,
        label,
        normalise or _strip,
        validate,
    )
    _REGISTRY[entry.key] = entry
    return entry


def registered() -> list[Sensitive]:
    return list(_REGISTRY.values())


def entry_for(model: type[models.Model], field_name: str) -> Sensitive | None:
    concrete = model._meta.concrete_model or model
    return _REGISTRY.get(f"{concrete._meta.app_label}.{concrete._meta.model_name}.{field_name}")


def sensitive_fields(model: type[models.Model]) -> list[Sensitive]:
    concrete = model._meta.concrete_model or model
    prefix = f"{concrete._meta.app_label}.{concrete._meta.model_name}."
    return [e for k, e in _REGISTRY.items() if k.startswith(prefix)]


# --- fields -------------------------------------------------------------------------------------
class _SealedAttribute(DeferredAttribute):
    """Plain text assigned to the attribute is encrypted there and then; tokens pass through."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        field: EncryptedField = self.field  # type: ignore[assignment]
        if looks_like_token(value):  # loaded, or moved as a token: the index moves with it
            if instance.__dict__.get(field.attname) != value:  # not full_clean() putting it back
                _pending(instance).pop(field.blind_index, None)
            instance.__dict__[field.attname] = Sealed(value)
            return
        text = field.normalise(str(value)) if value else ""
        instance.__dict__[field.attname] = encrypt(text) if text else ""
        if field.blind_index:
            index = blind_index(field.purpose, text) if text else ""
            instance.__dict__[field.blind_index] = index
            # Model.__init__ assigns the index field's default after this field; the index
            # field's pre_save() takes the pending value back when the row is written.
            _pending(instance)[field.blind_index] = index


def _pending(instance: models.Model) -> dict[str, str]:
    return instance.__dict__.setdefault("_sealed_pending_index", {})


class EncryptedField(models.TextField):
    """A text column holding a Fernet token; see the module docstring."""

    descriptor_class = _SealedAttribute
    sealed = True  # the audit trail records a change marker, never the token or the value

    def __init__(self, *args: Any, blind_index: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)  # no ModelForm shows or sets a token
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    @property
    def purpose(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{meta.model_name}.{self.name}"

    def normalise(self, text: str) -> str:
        entry = _REGISTRY.get(self.purpose)
        return entry.normalise(text) if entry else text.strip()

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return Sealed(value) if value else ""

    def to_python(self, value: Any) -> Any:
        if value is None:
            return ""
        return value if isinstance(value, str) else str(value)

    def get_prep_value(self, value: Any) -> Any:
        # Every write path (QuerySet.update, bulk_create, fixtures) ends here: never plaintext.
        value = self.to_python(value)
        if not value or looks_like_token(value):
            return str(value)
        text = self.normalise(value)
        return str(encrypt(text)) if text else ""

    def get_lookup(self, lookup_name: str) -> Any:
        # Tokens are randomised: any lookup but "is it empty" would silently match nothing.
        # Exact lookups by value go through the blind index (`lookup_q`).
        if lookup_name not in ("exact", "isnull"):
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC-SHA256 (hex) of an EncryptedField's normalised value, for exact lookups."""

    audit_skip = True  # a keyed hash says nothing to a reader; the sealed field records changes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        pending = model_instance.__dict__.get("_sealed_pending_index", {})
        if self.attname in pending:
            setattr(model_instance, self.attname, pending.pop(self.attname))
        return super().pre_save(model_instance, add)


class SealedFieldsMixin(models.Model):
    """Keeps each blind index in step with its field on `save(update_fields=[...])`."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is not None:
            names = list(fields)
            for f in self._meta.concrete_fields:
                if isinstance(f, EncryptedField) and f.blind_index and f.name in names:
                    names.append(f.blind_index)
            kwargs["update_fields"] = list(dict.fromkeys(names))
        super().save(*args, **kwargs)


def _field(obj_or_model: Any, field_name: str) -> EncryptedField:
    field = obj_or_model._meta.get_field(field_name)
    if not isinstance(field, EncryptedField):
        raise ValueError(f"{field_name} is not an encrypted field")
    return field


def lookup_q(model: type[models.Model], field_name: str, value: str) -> Q:
    """A filter for rows whose `field_name` equals `value` (normalised), by its blind index."""
    field = _field(model, field_name)
    if not field.blind_index:
        raise ValueError(f"{field_name} has no blind index")
    text = field.normalise(value or "")
    if not text:
        return Q(pk__in=[])
    return Q(**{f"{field.blind_index}__in": blind_indexes(field.purpose, text)})


def audit_marker(value: Any) -> str:
    """What the audit trail records for a sealed value: "" or a digest of the token. The token is
    randomised, so the digest shows that a value changed without linking records or values."""
    if not value:
        return ""
    return "sealed:" + hashlib.sha256(str(value).encode()).hexdigest()[:12]


# --- reading ------------------------------------------------------------------------------------
def may_reveal(user: Any) -> bool:
    from relasi.core import access

    return access.may(user, PERMISSION)


def mask_text(plaintext: str) -> str:
    """ "•••• •••• •••• 1234": the last four characters; nothing of a value that short."""
    if len(plaintext) <= 4:
        return MASK_CHAR * 4
    groups = math.ceil((len(plaintext) - 4) / 4)
    return " ".join([MASK_CHAR * 4] * groups + [plaintext[-4:]])


def masked(user: Any, obj: models.Model, field_name: str) -> str | None:
    """ "" when empty, the masked value for users who may see it, None ("hidden") for others.
    A masked value is not logged as a read: it shows four characters, never the value."""
    token = getattr(obj, _field(obj, field_name).attname)
    if not token:
        return ""
    if not may_reveal(user):
        return None
    try:
        return mask_text(decrypt(token))
    except Unreadable:
        return MASK_CHAR * 4


def reveal(
    user: Any, obj: models.Model, field_name: str, channel: str = "ui", request: Any = None
) -> str:
    """The plaintext of one field, for a user allowed to read it; every call is logged.

    Raises PermissionDenied (not allowed), Http404 (the record is outside the user's
    visibility) or Unreadable (no configured key decrypts it; the attempt is still logged)."""
    from relasi.core import access, audit
    from relasi.core.models import SensitiveRead

    field = _field(obj, field_name)
    if not may_reveal(user):
        audit.security_event(
            "sensitive.denied", request, user=user, field=field_name, record=str(obj.pk)
        )
        raise PermissionDenied
    if not access.can_see(user, obj):
        raise Http404
    SensitiveRead.log(user, obj, field_name, channel, audit.client_ip(request) if request else None)
    token = getattr(obj, field.attname)
    return decrypt(token) if token else ""


# --- rotation -----------------------------------------------------------------------------------
@dataclass
class RotationCount:
    key: str
    rotated: int = 0
    current: int = 0  # already under the current key with an up-to-date blind index
    unreadable: int = 0


def rotate_field(entry: Sensitive, batch_size: int = 500) -> RotationCount:
    """Re-encrypt one registered field's values under the current key, `batch_size` rows per
    transaction, rewriting blind indexes under the current index key. Idempotent: a value that
    the current key already decrypts and whose index is current is left alone."""
    from django.db import transaction

    model = entry.model
    field = _field(model, entry.field_name)
    keys = field_keys()
    primary = Fernet(keys[0])
    count = RotationCount(entry.key)
    columns = ["pk", field.attname] + ([field.blind_index] if field.blind_index else [])
    manager = model._base_manager
    last = None
    while True:
        rows = manager.exclude(**{field.attname: ""}).order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list(*columns)[:batch_size])
        if not batch:
            return count
        with transaction.atomic():
            for row in batch:
                pk, token = row[0], str(row[1])
                try:
                    text = decrypt(token)
                except Unreadable:
                    count.unreadable += 1
                    continue
                try:
                    primary.decrypt(token.encode())
                    new_token = token
                except InvalidToken:
                    new_token = str(rotate(token))
                changes: dict[str, str] = {}
                if new_token != token:
                    changes[field.attname] = new_token
                if field.blind_index:
                    wanted = blind_index(field.purpose, field.normalise(text))
                    if row[2] != wanted:
                        changes[field.blind_index] = wanted
                if not changes:
                    count.current += 1
                    continue
                # Only if nobody changed the value meanwhile (their write is already current).
                manager.filter(pk=pk, **{field.attname: token}).update(**changes)
                count.rotated += 1
        last = batch[-1][0]


def rotate_all(batch_size: int = 500) -> list[RotationCount]:
    return [rotate_field(entry, batch_size) for entry in registered()]
