"""TOTP (RFC 6238) with replay protection, and hashed single-use recovery codes."""

import hashlib
import secrets
import time

import pyotp

from relasi.accounts.models import User

ISSUER = "Relasi"
STEP = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or user.username, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step `code` belongs to (current ±1 for clock skew), or None."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    now = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def verify(user: User, code: str) -> bool:
    """Accept a TOTP code once: a step already used (or older) is a replay and is refused."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    if step is None or step <= user.totp_last_step:
        return False
    updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    user.totp_last_step = step
    return bool(updated)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def new_recovery_codes(n: int = 10) -> tuple[list[str], list[str]]:
    """(plain codes shown once, hashes to store)."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(n)]
    return codes, [_hash(c) for c in codes]


def use_recovery_code(user: User, code: str) -> bool:
    digest = _hash(code)
    if digest not in user.recovery_codes:
        return False
    user.recovery_codes = [c for c in user.recovery_codes if c != digest]
    user.save(update_fields=["recovery_codes"])
    return True
