"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Headers: `webhook-id` (the event's id, the idempotency key), `webhook-timestamp` (Unix
seconds of this try) and `webhook-signature` ("v1," and the base64 HMAC-SHA256 of
"id.timestamp.body" keyed with the base64-decoded part of the "whsec_…" secret). A receiver
refuses a timestamp more than `TOLERANCE` seconds from its clock (the replay window)."""

import base64
import hashlib
import hmac
import time

TOLERANCE = 300  # seconds; the replay window documented in docs/integrations.md


class InvalidSignature(Exception):
    """The request was not signed with the secret, or lies outside the replay window."""


def _key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[6:])
    return secret.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    received: dict[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE,
) -> None:
    """Raise InvalidSignature unless the headers sign `body` with `secret`, in the window.
    (Also used for inbound webhooks signed by other systems with the same scheme.)"""
    lower = {k.lower(): v for k, v in received.items()}
    msg_id = lower.get("webhook-id", "")
    stamp = lower.get("webhook-timestamp", "")
    signatures = lower.get("webhook-signature", "")
    if not (msg_id and stamp and signatures):
        raise InvalidSignature("missing headers")
    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise InvalidSignature("bad timestamp") from exc
    current = now if now is not None else time.time()
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature("timestamp outside the replay window")
    expected = sign(secret, msg_id, timestamp, body)
    for candidate in signatures.split():
        if hmac.compare_digest(candidate, expected):
            return
    raise InvalidSignature("no matching signature")
