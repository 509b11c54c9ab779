"""Login throttle: counts failures per account and per IP in a moving window.

Backed by the `limits` storage that Flask-Limiter uses: in memory for the embedded
mode, Redis when REDIS_URL is set, so every app server shares the same counters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from portal.core.errors import ServiceUnavailable

UNAVAILABLE = "Não foi possível verificar as tentativas de login agora. Tente novamente em instantes."


@contextmanager
def _storage_guard() -> Iterator[None]:
    """Fail closed: without its counters (Redis down) the throttle refuses logins with a
    clear 503 instead of letting unlimited guesses through or crashing."""
    try:
        yield
    except Exception as error:  # the storage backends raise their own driver errors
        raise ServiceUnavailable(UNAVAILABLE) from error


class LoginThrottle:
    """`is_blocked` before checking a password, `register_failure` after a wrong one."""

    def __init__(self, storage_uri: str, max_failures: int, window_minutes: int) -> None:
        self.storage: Storage = storage_from_string(storage_uri)  # type: ignore[assignment]
        self.limiter = MovingWindowRateLimiter(self.storage)
        # N failures per window: the (N+1)-th attempt is refused.
        self.item = RateLimitItemPerMinute(max_failures, window_minutes)

    @staticmethod
    def _keys(email: str, ip: str | None) -> list[str]:
        account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
        return [f"login-fail:account:{account}", f"login-fail:ip:{ip or '?'}"]

    def is_blocked(self, email: str, ip: str | None) -> bool:
        with _storage_guard():
            return any(not self.limiter.test(self.item, key) for key in self._keys(email, ip))

    def register_failure(self, email: str, ip: str | None) -> None:
        with _storage_guard():
            for key in self._keys(email, ip):
                self.limiter.hit(self.item, key)

    def clear(self, email: str, ip: str | None) -> None:
        for key in self._keys(email, ip):
            self.limiter.clear(self.item, key)
