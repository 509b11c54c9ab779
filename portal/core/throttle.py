"""Login throttle that slows guessing without letting anyone lock others out.

Three counters of failed logins (wrong password or wrong second-factor code):
- per (account, address): after `pair_max` failures within the window that pair is locked
  for a short while; the same account from another address is not;
- per account, across addresses: past `account_free` failures each further one makes the
  account wait a growing delay (1 s, 2 s, 4 s ... up to `account_max_delay`) before the
  next attempt: a slowdown, never a hard lock;
- per address, across accounts: a higher ceiling (`address_max`), so an office behind one
  NAT is not locked by one colleague's typos, while a sprayer is.

State lives in memory (embedded mode, tests) or in Redis (REDIS_URL), shared by every app
server. Times are absolute (the throttle's `clock`), so tests move a fake clock.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

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


class MemoryCounters:
    """Counters and timestamps with an absolute expiry, in this process."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> float:
        with self._lock:
            value, expires = self._data.get(key, (0.0, 0.0))
            return value if expires > now else 0.0

    def incr(self, key: str, now: float, ttl: float) -> int:
        """Add one; the window starts at the first hit (expiry set then)."""
        with self._lock:
            value, expires = self._data.get(key, (0.0, 0.0))
            if expires <= now:
                value, expires = 0.0, now + ttl
            self._data[key] = (value + 1, expires)
            return int(value + 1)

    def put(self, key: str, value: float, now: float, ttl: float) -> None:
        with self._lock:
            self._data[key] = (value, now + ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._data.clear()


class RedisCounters:
    """The same contract in Redis; expiry by Redis TTLs."""

    def __init__(self, client: Any, prefix: str = "athenas:login:") -> None:
        self.redis = client
        self.prefix = prefix

    def get(self, key: str, now: float) -> float:
        value = self.redis.get(self.prefix + key)
        return float(value) if value is not None else 0.0

    def incr(self, key: str, now: float, ttl: float) -> int:
        full = self.prefix + key
        value = int(self.redis.incr(full))
        if value == 1:
            self.redis.expire(full, max(1, int(ttl)))
        return value

    def put(self, key: str, value: float, now: float, ttl: float) -> None:
        self.redis.set(self.prefix + key, repr(value), ex=max(1, int(ttl)))

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    def reset(self) -> None:
        keys = list(self.redis.scan_iter(match=self.prefix + "*"))
        if keys:
            self.redis.delete(*keys)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_seconds: int = 0
    reason: str = ""  # "pair", "account" or "address" when refused


class LoginThrottle:
    """`check` before a password (or code) is verified, `register_failure` after a wrong
    one, `register_success` after a right one."""

    def __init__(
        self,
        storage: MemoryCounters | RedisCounters,
        *,
        pair_max: int = 5,
        window_seconds: int = 15 * 60,
        pair_lock_seconds: int = 5 * 60,
        account_free: int = 5,
        account_max_delay: int = 30,
        address_max: int = 50,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.pair_max = pair_max
        self.window = window_seconds
        self.pair_lock = pair_lock_seconds
        self.account_free = account_free
        self.account_max_delay = account_max_delay
        self.address_max = address_max
        self.clock = clock

    @staticmethod
    def _account(email: str) -> str:
        return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]

    def _keys(self, email: str, ip: str | None) -> tuple[str, str, str]:
        account, address = self._account(email), ip or "?"
        return f"pair:{account}:{address}", f"account:{account}", f"address:{address}"

    def check(self, email: str, ip: str | None) -> Verdict:
        pair, account, address = self._keys(email, ip)
        now = self.clock()
        with _storage_guard():
            if self.storage.get(f"{address}:count", now) >= self.address_max:
                return Verdict(False, self.window, "address")
            for key, reason in ((f"{pair}:until", "pair"), (f"{account}:until", "account")):
                until = self.storage.get(key, now)
                if until > now:
                    return Verdict(False, max(1, int(until - now + 0.999)), reason)
        return Verdict(True)

    def is_blocked(self, email: str, ip: str | None) -> bool:
        return not self.check(email, ip).allowed

    def register_failure(self, email: str, ip: str | None) -> None:
        pair, account, address = self._keys(email, ip)
        now = self.clock()
        with _storage_guard():
            self.storage.incr(f"{address}:count", now, self.window)
            if self.storage.incr(f"{pair}:count", now, self.window) >= self.pair_max:
                self.storage.put(f"{pair}:until", now + self.pair_lock, now, self.pair_lock)
                self.storage.delete(f"{pair}:count")
            failures = self.storage.incr(f"{account}:count", now, self.window)
            if failures > self.account_free:
                delay = min(2 ** (failures - self.account_free - 1), self.account_max_delay)
                self.storage.put(f"{account}:until", now + delay, now, delay)

    def register_success(self, email: str, ip: str | None) -> None:
        """A right password from this address: its own failures are forgiven."""
        pair, _account, _address = self._keys(email, ip)
        with _storage_guard():
            self.storage.delete(f"{pair}:count")


def build_throttle(redis_url: str, config: dict[str, Any]) -> LoginThrottle:
    """The app's throttle: Redis when configured, else in memory."""
    if redis_url:
        import redis

        storage: MemoryCounters | RedisCounters = RedisCounters(redis.Redis.from_url(redis_url))
    else:
        storage = MemoryCounters()
    return LoginThrottle(
        storage,
        pair_max=int(config["LOGIN_MAX_FAILURES"]),
        window_seconds=int(config["LOGIN_FAILURE_WINDOW_MINUTES"]) * 60,
        pair_lock_seconds=int(config["LOGIN_LOCK_MINUTES"]) * 60,
        account_free=int(config["LOGIN_MAX_FAILURES"]),
        account_max_delay=int(config["LOGIN_MAX_DELAY_SECONDS"]),
        address_max=int(config["LOGIN_ADDRESS_MAX_FAILURES"]),
    )
