"""Every state change of accounts: users, roles, sessions, tokens, two-factor."""

from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from relasi.accounts import twofactor
from relasi.accounts.models import ApiToken, User, UserSession
from relasi.core import audit, records
from relasi.core.choices import AuditAction

USER_AUDIT_FIELDS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "team",
    "manager",
    "is_active",
]


def record_login(request: HttpRequest, user: User) -> None:
    """Called right after `login()`: remember the session so it can be listed and ended."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    now = timezone.now()
    request.session["_started"] = now.timestamp()
    request.session["_seen"] = now.timestamp()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip": audit.client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )
    audit.security_event("login.success", request, user=user)


def rekey_session(old_key: str | None, new_key: str | None) -> None:
    """The session was given a new key (cycle_key) but is the same sign-in."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def end_sessions(
    actor: Any, user: User, *, keep: str | None = None, request: HttpRequest | None = None
) -> int:
    """Terminate the user's sessions server-side (all, or all but `keep`)."""
    with transaction.atomic():
        sessions = UserSession.objects.filter(user=user)
        if keep:
            sessions = sessions.exclude(session_key=keep)
        keys = list(sessions.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        sessions.delete()
    audit.security_event(
        "sessions.ended", request, user=actor, target=user.get_username(), count=len(keys)
    )
    return len(keys)


def end_session(actor: Any, user: User, pk: int, request: HttpRequest | None = None) -> bool:
    found = UserSession.objects.filter(user=user, pk=pk).first()
    if found is None:
        return False
    Session.objects.filter(session_key=found.session_key).delete()
    found.delete()
    audit.security_event("session.ended", request, user=actor, target=user.get_username())
    return True


def create_user(actor: Any, data: dict[str, Any], password: str | None = None) -> User:
    with transaction.atomic():
        user = User(**{k: v for k, v in data.items() if k != "password"})
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        audit.record(
            actor,
            AuditAction.CREATE,
            user,
            changes=audit.diff({}, audit.snapshot(user, USER_AUDIT_FIELDS)),
        )
    audit.security_event("user.created", user=actor, target=user.get_username())
    return user


def update_user(actor: Any, user: User, data: dict[str, Any]) -> User:
    role_changed = "role" in data and data["role"] != user.role
    updated = records.update_record(actor, user, data)
    if role_changed:
        audit.security_event(
            "user.role_changed", user=actor, target=user.get_username(), role=str(updated.role)
        )
    if "is_active" in data and not data["is_active"]:
        end_sessions(actor, updated)
    return updated


def issue_token(
    actor: User, name: str, scopes: dict[str, str], expires_at: Any = None
) -> tuple[ApiToken, str]:
    token, raw = ApiToken.generate(user=actor, name=name, scopes=scopes, expires_at=expires_at)
    token.save()
    audit.security_event("api_token.issued", user=actor, name=name, scopes=scopes)
    return token, raw


def revoke_token(actor: User, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit.security_event("api_token.revoked", user=actor, name=token.name)


def enable_2fa(request: HttpRequest, user: User, secret: str, used_step: int = 0) -> list[str]:
    """Turn two-factor on (the code that proved the secret is spent) and sign out every other
    session, which was opened without it. Returns the plain recovery codes, shown once."""
    codes, hashes = twofactor.new_recovery_codes()
    user.totp_secret = secret
    user.totp_enabled = True
    user.recovery_codes = hashes
    user.totp_last_step = used_step
    user.save(update_fields=["totp_secret", "totp_enabled", "recovery_codes", "totp_last_step"])
    audit.security_event("mfa.enabled", request, user=user)
    end_sessions(user, user, keep=request.session.session_key, request=request)
    return codes


def disable_2fa(request: HttpRequest, user: User) -> None:
    user.totp_secret = ""
    user.totp_enabled = False
    user.recovery_codes = []
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_enabled", "recovery_codes", "totp_last_step"])
    audit.security_event("mfa.disabled", request, user=user)


def change_email(request: HttpRequest, user: User, email: str) -> None:
    old = user.email
    records.update_record(user, user, {"email": email})
    audit.security_event("user.email_changed", request, user=user, old=old, new=email)


def password_replaced(
    actor: Any,
    user: User,
    *,
    revoke_tokens: bool,
    keep_session: str | None = None,
    request: HttpRequest | None = None,
    reset: bool = False,
) -> int:
    """After a password change or reset: end every other session (a reset ends all of them)
    and, when asked, revoke every API token. Returns the number of tokens revoked."""
    end_sessions(actor, user, keep=keep_session, request=request)
    revoked = 0
    if revoke_tokens:
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.security_event("api_token.revoked_all", request, user=user, count=revoked)
    audit.security_event("password.reset" if reset else "password.changed", request, user=user)
    return revoked
