"""A small fixed-window limiter for every authentication path (login, TOTP, password reset,
token issue) and expensive functions (search, export).

Counters live in the database (`core.RateCounter`) and change only through single UPDATE
statements, so every app process on every machine shares one exact count. For checks that
guard slow work (the Argon2 password hash) use `reserve()`: it takes the attempt *before* the
work, atomically, so N parallel requests can never all pass a check made before any of them
counted (issue #19: 24 parallel wrong passwords got 6 verifications against a limit of 5).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from relasi.core.models import RateCounter


@dataclass
class Limit:
    scope: str
    limit: int
    window: int  # seconds

    def _key(self, ident: str) -> str:
        # Identifiers come from users (usernames, e-mail addresses): hash them so any text
        # makes a valid, fixed-length key.
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"rl:{self.scope}:{digest}"[:100]

    def blocked_for(self, ident: str) -> int:
        """Seconds until `ident` may try again (0 = not blocked)."""
        row = RateCounter.objects.filter(key=self._key(ident)).first()
        if row is None:
            return 0
        remaining = int((row.expires_at - timezone.now()).total_seconds())
        return remaining if row.count >= self.limit and remaining > 0 else 0

    def hit(self, ident: str) -> int:
        """Count one attempt; returns the number of attempts in the current window."""
        key = self._key(ident)
        now = timezone.now()
        expires = now + dt.timedelta(seconds=self.window)
        for _try in range(3):
            with transaction.atomic():
                # One statement each: the row lock (PostgreSQL) or the write lock (SQLite)
                # makes the increment and the read that follows it one step for everyone.
                n = RateCounter.objects.filter(key=key, expires_at__gt=now).update(
                    count=F("count") + 1
                )
                if not n:
                    n = RateCounter.objects.filter(key=key, expires_at__lte=now).update(
                        count=1, window_start=now, expires_at=expires
                    )
                if n:
                    return RateCounter.objects.filter(key=key).values_list("count", flat=True)[0]
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        key=key, count=1, window_start=now, expires_at=expires
                    )
                return 1
            except IntegrityError:
                continue  # another process created it first: increment that row
        raise RuntimeError(f"rate counter {self.scope} could not be updated")

    def reserve(self, ident: str) -> bool:
        """Take one attempt before doing the guarded work; False (nothing to do) when this
        attempt is over the limit. Call `reset()` when the attempt turns out to be good."""
        return self.hit(ident) <= self.limit

    def release(self, ident: str) -> None:
        """Give back an attempt taken by `reserve()` that turned out to be good."""
        RateCounter.objects.filter(key=self._key(ident), count__gt=0).update(count=F("count") - 1)

    def reset(self, ident: str) -> None:
        RateCounter.objects.filter(key=self._key(ident)).delete()


def prune() -> int:
    """Delete expired counters (run by the task sweep)."""
    return RateCounter.objects.filter(expires_at__lte=timezone.now()).delete()[0]
