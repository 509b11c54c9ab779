"""Tiny key/value store for state shared by every process talking to banks.

Tokens and circuit-breaker state must be shared by all app servers and workers, so in
production they live in Redis (`RedisStore`); a single-process install or a test can use
`MemoryStore`. Values are strings; TTLs are seconds (floats allowed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


class StateStore(Protocol):
    """The operations the bank layer needs from a shared store."""

    def get(self, key: str) -> str | None:
        """Return the value or None when missing/expired."""

    def set(self, key: str, value: str, ttl_s: float | None = None) -> None:
        """Store a value, optionally expiring after `ttl_s` seconds."""

    def set_if_absent(self, key: str, value: str, ttl_s: float | None = None) -> bool:
        """Store only when the key does not exist; True when stored (atomic)."""

    def incr(self, key: str, ttl_s: float | None = None) -> int:
        """Increment an integer counter and return it; `ttl_s` set when the key is created."""

    def delete(self, *keys: str) -> None:
        """Remove keys (missing keys are ignored)."""


class MemoryStore:
    """In-process store with expiry; thread-safe. For one process or tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and self._clock() >= expires:
            del self._data[key]
            return None
        return value

    def _expiry(self, ttl_s: float | None) -> float | None:
        return None if ttl_s is None else self._clock() + ttl_s

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, ttl_s: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, self._expiry(ttl_s))

    def set_if_absent(self, key: str, value: str, ttl_s: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._expiry(ttl_s))
            return True

    def incr(self, key: str, ttl_s: float | None = None) -> int:
        with self._lock:
            current = self._live(key)
            if current is None:
                self._data[key] = ("1", self._expiry(ttl_s))
                return 1
            value = int(current) + 1
            self._data[key] = (str(value), self._data[key][1])
            return value

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)


class RedisStore:
    """Store backed by Redis, every key under `prefix` (e.g. ``"athenas:banks:"``)."""

    def __init__(self, client: Any, prefix: str = "athenas:banks:") -> None:
        self._redis = client
        self._prefix = prefix

    def _k(self, key: str) -> str:
        return self._prefix + key

    @staticmethod
    def _ms(ttl_s: float | None) -> int | None:
        return None if ttl_s is None else max(1, int(ttl_s * 1000))

    def get(self, key: str) -> str | None:
        value = self._redis.get(self._k(key))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def set(self, key: str, value: str, ttl_s: float | None = None) -> None:
        self._redis.set(self._k(key), value, px=self._ms(ttl_s))

    def set_if_absent(self, key: str, value: str, ttl_s: float | None = None) -> bool:
        return bool(self._redis.set(self._k(key), value, px=self._ms(ttl_s), nx=True))

    def incr(self, key: str, ttl_s: float | None = None) -> int:
        full = self._k(key)
        value = int(self._redis.incr(full))
        if value == 1 and ttl_s is not None:
            self._redis.pexpire(full, self._ms(ttl_s))
        return value

    def delete(self, *keys: str) -> None:
        if keys:
            self._redis.delete(*(self._k(k) for k in keys))
