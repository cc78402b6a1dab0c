"""A small fixed-window limiter over the shared cache, for every authentication path
(login, TOTP, password reset, token issue) and expensive functions (search, export)."""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass
class Limit:
    scope: str
    limit: int
    window: int  # seconds

    def _key(self, ident: str) -> str:
        # Identifiers come from users (usernames, e-mail addresses): hash them so any text
        # makes a valid, fixed-length cache key.
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"rl:{self.scope}:{digest}"

    def blocked_for(self, ident: str) -> int:
        """Seconds until `ident` may try again (0 = not blocked)."""
        entry = cache.get(self._key(ident))
        if not entry:
            return 0
        count, start = entry
        remaining = int(start + self.window - time.time())
        return remaining if count >= self.limit and remaining > 0 else 0

    def hit(self, ident: str) -> int:
        """Count one attempt; returns the number of attempts in the current window."""
        key = self._key(ident)
        now = time.time()
        entry = cache.get(key)
        if not entry or now - entry[1] >= self.window:
            entry = (0, now)
        entry = (entry[0] + 1, entry[1])
        cache.set(key, entry, timeout=self.window)
        return entry[0]

    def reset(self, ident: str) -> None:
        cache.delete(self._key(ident))
