"""HTTP client used by every adapter: timeouts, retries, circuit breaker, re-auth and logging.

- Timeouts come from `BankSettings` (connect, read).
- Retries with exponential backoff happen only for idempotent calls (GET, or calls the adapter
  marks ``idempotent=True`` such as a POST that only reads a margin). A submission is never
  re-sent by this layer: its read timeout becomes `BankTimeout(after_send=True)`.
- Inside `deadline(seconds)` every attempt, retry, back-off and token request shares one
  time budget: an attempt waits at most what is left of it, and no retry starts once too
  little is left (a lookup the agent waits on ends within the configured read timeout).
- The per-bank `CircuitBreaker` answers at once with `BankUnavailable` while open.
- When the bank answers 401 to an authenticated call, the adapter's `auth` callback is asked
  once for fresh credentials (``refresh=True``) and the call is repeated once.
- Every attempt is logged on ``portal.banks`` with bank, capability, method, path (CPF-like
  numbers masked, query string never logged), status, outcome and latency. Never a body,
  header, token or secret.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from portal.banks.errors import BankTimeout, BankUnavailable, MalformedResponse
from portal.banks.resilience import CircuitBreaker, TokenCache, unavailable_message
from portal.banks.state import StateStore
from portal.banks.types import BankSettings, Capability

if TYPE_CHECKING:  # requests is imported when the first bank is called, not at start-up
    import requests

__all__ = ["BankAnswer", "BankHttp", "TokenCache", "mask_path"]

logger = logging.getLogger("portal.banks")

AuthProvider = Callable[[bool], Mapping[str, str]]

_CPF_LIKE = re.compile(r"(?<!\d)(?:\d{3}\.\d{3}\.\d{3}-\d{2}|\d{10,11})(?!\d)")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TIMEOUT_MESSAGE = "Tempo de resposta do banco esgotado"
# Below this, an attempt could not even get an answer across: give up instead of retrying.
MIN_ATTEMPT_S = 0.05
UNCONFIRMED_MESSAGE = (
    "Tempo de resposta do banco esgotado; a proposta pode ter sido registrada no banco. "
    "Confira a situação antes de digitar novamente"
)


def mask_path(path: str) -> str:
    """Drop the query string and mask CPF/benefit-number-like digit runs."""
    return _CPF_LIKE.sub("***", path.split("?", 1)[0])


@dataclass(frozen=True)
class BankAnswer:
    """A bank's HTTP answer: status and parsed JSON (decimals as `Decimal`), or None."""

    status: int
    data: Any


class _Failure(Exception):
    """Internal: an attempt failed in a way that may be retried (wraps the error to raise)."""

    def __init__(self, error: Exception, outcome: str, status: int | None = None) -> None:
        super().__init__(outcome)
        self.error = error
        self.outcome = outcome
        self.status = status


def _reached_bank(exc: requests.exceptions.ConnectionError) -> bool:
    """False when the connection was never established (nothing was sent)."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return not isinstance(reason, NewConnectionError | ConnectTimeoutError)


class BankHttp:
    """Resilient HTTP access to one bank, configured by `BankSettings`."""

    def __init__(
        self,
        settings: BankSettings,
        store: StateStore,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.store = store
        if session is None:
            import requests

            session = requests.Session()
        self.session = session
        self.session.headers.setdefault("User-Agent", "Athenas/0.1 (+correspondente)")
        self.session.headers["Accept"] = "application/json"
        self.tokens = TokenCache(store)
        self.breaker = CircuitBreaker(
            store,
            settings.code,
            settings.name,
            threshold=settings.breaker_threshold,
            cooldown_s=settings.breaker_cooldown_s,
            probe_ttl_s=settings.connect_timeout + settings.read_timeout,
        )
        self._sleep = sleep
        self._clock = clock
        self._deadline: float | None = None

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Calls inside share one budget of `seconds` (an outer, earlier deadline wins)."""
        outer = self._deadline
        ends = self._clock() + seconds
        self._deadline = ends if outer is None else min(outer, ends)
        try:
            yield
        finally:
            self._deadline = outer

    def _left(self) -> float | None:
        """Seconds left of the current deadline (None: no deadline)."""
        return None if self._deadline is None else self._deadline - self._clock()

    def call(
        self,
        method: str,
        path: str,
        capability: Capability | str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: AuthProvider | None = None,
        idempotent: bool | None = None,
        token_request: bool = False,
    ) -> BankAnswer:
        """Send one logical call; return the answer for 2xx/4xx, raise `BankError` otherwise.

        `token_request=True` marks the authentication call made *inside* another call: it
        skips the breaker check (the outer call already passed it, possibly as the half-open
        probe) and its success does not close the circuit; its failure still counts.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        cap = capability.value if isinstance(capability, Capability) else capability
        if not token_request:
            self.breaker.before_call()
        attempts = 1 + (max(0, self.settings.max_retries) if idempotent else 0)
        refreshed = refresh_now = False
        attempt = 0
        while True:
            attempt += 1
            call_headers = dict(headers or {})
            if auth is not None:
                call_headers.update(auth(refresh_now))
                refresh_now = False
            try:
                answer = self._attempt(
                    method, path, cap, attempt, idempotent, params, json_body, form, call_headers
                )
            except _Failure as failure:
                backoff = self.settings.retry_backoff_s * (2 ** (attempt - 1))
                left = self._left()
                if attempt < attempts and (left is None or left - backoff >= MIN_ATTEMPT_S):
                    self._sleep(backoff)
                    continue
                self.breaker.record_failure()
                raise failure.error from None
            if answer.status == 401 and auth is not None and not refreshed:
                refreshed = refresh_now = True
                attempts += 1  # the re-authenticated repetition does not use a retry
                continue
            if not token_request:
                self.breaker.record_success()
            return answer

    def _attempt(
        self,
        method: str,
        path: str,
        cap: str,
        attempt: int,
        idempotent: bool,
        params: Mapping[str, Any] | None,
        json_body: Any,
        form: Mapping[str, Any] | None,
        headers: Mapping[str, str],
    ) -> BankAnswer:
        import requests  # loaded once the first bank is called (sys.modules afterwards)

        bank, name = self.settings.code, self.settings.name
        url = self.settings.base_url.rstrip("/") + path
        connect_s, read_s = self.settings.connect_timeout, self.settings.read_timeout
        left = self._left()
        if left is not None:
            if left < MIN_ATTEMPT_S:  # spent (e.g. by the token request): nothing was sent
                raise _Failure(BankTimeout(TIMEOUT_MESSAGE, bank, after_send=False), "deadline")
            connect_s, read_s = min(connect_s, left), min(read_s, left)
        started = time.perf_counter()
        status: int | None = None
        outcome = "ok"
        try:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    data=form,
                    headers=headers,
                    timeout=(connect_s, read_s),
                )
            except requests.exceptions.ConnectTimeout:
                outcome = "connect_timeout"
                raise _Failure(
                    BankTimeout(TIMEOUT_MESSAGE, bank, after_send=False), outcome
                ) from None
            except requests.exceptions.Timeout:
                outcome = "read_timeout"
                message = TIMEOUT_MESSAGE if idempotent else UNCONFIRMED_MESSAGE
                raise _Failure(BankTimeout(message, bank, after_send=True), outcome) from None
            except requests.exceptions.ConnectionError as exc:
                sent = _reached_bank(exc)
                outcome = "connection_lost" if sent else "connection_refused"
                if sent and not idempotent:
                    error: Exception = BankTimeout(UNCONFIRMED_MESSAGE, bank, after_send=True)
                else:
                    error = BankUnavailable(unavailable_message(name), bank)
                raise _Failure(error, outcome) from None
            status = response.status_code
            if status >= 500 or status == 429:
                outcome = "server_error"
                raise _Failure(BankUnavailable(unavailable_message(name), bank), outcome, status)
            data = self._decode(response)
            if data is _INVALID:
                if status < 300:
                    outcome = "malformed"
                    raise _Failure(
                        MalformedResponse(
                            f"Resposta inválida do banco {name}, tente em instantes", bank
                        ),
                        outcome,
                        status,
                    )
                data = None
            if status == 401:
                outcome = "unauthorized"
            elif status >= 400:
                outcome = "client_error"
            return BankAnswer(status=status, data=data)
        finally:
            latency_ms = int((time.perf_counter() - started) * 1000)
            level = logging.INFO if outcome in ("ok", "client_error") else logging.WARNING
            logger.log(
                level,
                "bank call bank=%s capability=%s method=%s path=%s status=%s outcome=%s "
                "latency_ms=%d attempt=%d",
                bank,
                cap,
                method,
                mask_path(path),
                status if status is not None else "-",
                outcome,
                latency_ms,
                attempt,
                extra={
                    "bank": bank,
                    "capability": cap,
                    "bank_path": mask_path(path),
                    "outcome": outcome,
                    "latency_ms": latency_ms,
                },
            )

    @staticmethod
    def _decode(response: requests.Response) -> Any:
        if not response.content:
            return None
        try:
            return json.loads(response.content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            return _INVALID


_INVALID = object()
