"""Circuit breaker and token cache, both kept in a shared `StateStore`.

Because the state lives in the store (Redis in production), every app server and worker sees
the same open circuit and reuses the same bank token. Only TTLs are used, never timestamps,
so the processes' clocks need not agree.

Circuit breaker states, per bank:
- closed: calls go through; each failed call increments ``failures``, a success resets it.
- open: after `threshold` consecutive failures the ``open`` key is set for the cool-down; every
  call fails at once with `BankUnavailable` without touching the network.
- half-open: when ``open`` expires while ``failures`` is still at the threshold, exactly one
  caller (whoever wins ``probe``) may try; success closes the circuit, failure re-opens it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from portal.banks.errors import BankUnavailable
from portal.banks.state import StateStore

FAILURES_TTL_S = 600.0


def unavailable_message(bank_name: str) -> str:
    """The standard pt-BR text for a bank that cannot be reached."""
    return f"Banco {bank_name} indisponível, tente em instantes"


class CircuitBreaker:
    """Consecutive-failure breaker for one bank, shared through the store."""

    def __init__(
        self,
        store: StateStore,
        bank: str,
        bank_name: str,
        *,
        threshold: int,
        cooldown_s: float,
        probe_ttl_s: float = 30.0,
    ) -> None:
        self._store = store
        self._bank = bank
        self._bank_name = bank_name
        self._threshold = max(1, threshold)
        self._cooldown_s = cooldown_s
        self._probe_ttl_s = probe_ttl_s
        self._failures = f"breaker:{bank}:failures"
        self._open = f"breaker:{bank}:open"
        self._probe = f"breaker:{bank}:probe"

    @property
    def state(self) -> str:
        """closed | open | half_open (for dashboards and tests)."""
        if self._store.get(self._open) is not None:
            return "open"
        if int(self._store.get(self._failures) or 0) >= self._threshold:
            return "half_open"
        return "closed"

    def before_call(self) -> None:
        """Raise `BankUnavailable` at once when the circuit does not let this call through."""
        if self._store.get(self._open) is not None:
            raise BankUnavailable(unavailable_message(self._bank_name), self._bank)
        if int(self._store.get(self._failures) or 0) >= self._threshold and not (
            self._store.set_if_absent(self._probe, "1", self._probe_ttl_s)
        ):
            raise BankUnavailable(unavailable_message(self._bank_name), self._bank)

    def record_success(self) -> None:
        """Close the circuit."""
        self._store.delete(self._failures, self._open, self._probe)

    def record_failure(self) -> None:
        """Count a failure; open the circuit when the threshold is reached."""
        failures = self._store.incr(self._failures, FAILURES_TTL_S)
        if failures >= self._threshold:
            self._store.set(self._open, "1", self._cooldown_s)
            self._store.delete(self._probe)


class TokenCache:
    """Bank access tokens shared by all processes, refreshed before they expire."""

    def __init__(self, store: StateStore, *, safety_margin_s: float = 60.0) -> None:
        self._store = store
        self._safety_margin_s = safety_margin_s

    @staticmethod
    def scope_for(*parts: str) -> str:
        """A stable, non-reversible scope name for credentials (never stores the secret)."""
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]

    def _key(self, bank: str, scope: str) -> str:
        return f"token:{bank}:{scope}"

    def ttl_for(self, lifetime_s: float) -> float:
        """Keep a token a little less than its lifetime (at most 10% or the margin less)."""
        margin = min(self._safety_margin_s, lifetime_s * 0.1)
        return max(1.0, lifetime_s - margin)

    def get_or_fetch(
        self,
        bank: str,
        fetcher: Callable[[], tuple[str, float]],
        scope: str = "company",
    ) -> str:
        """Return the cached token or call `fetcher()` -> (token, lifetime seconds) and cache it."""
        key = self._key(bank, scope)
        token = self._store.get(key)
        if token is not None:
            return token
        token, lifetime_s = fetcher()
        self._store.set(key, token, self.ttl_for(lifetime_s))
        return token

    def invalidate(self, bank: str, scope: str = "company") -> None:
        """Forget the cached token (the bank said it expired)."""
        self._store.delete(self._key(bank, scope))
