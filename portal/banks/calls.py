"""Calling banks from the portal: one outcome per bank, errors turned into messages.

These helpers touch no database: the caller reads what it needs first (settings, client
data), calls here, then records the outcomes. So no connection is held while a bank thinks,
and several banks are asked at the same time (`run_concurrently`), so a page waits about as
long as the slowest bank, not the sum of all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from portal.banks.errors import (
    BankError,
    BankRejected,
    BankTimeout,
    BankUnavailable,
    MalformedResponse,
    NotAuthorized,
    UnsupportedCapability,
)
from portal.banks.protocol import Connector
from portal.banks.types import BenefitQueryRequest, MarginResult, SimulationOption, SimulationRequest

logger = logging.getLogger("portal.banks")

T = TypeVar("T")
MAX_PARALLEL_BANKS = 8

# Outcome codes recorded in audit entries and timelines (never a CPF or a bank payload).
OUTCOMES = {
    "ok": "Concluída",
    "unavailable": "Banco indisponível",
    "timeout": "Tempo esgotado",
    "not_authorized": "Sem autorização do cliente",
    "rejected": "Recusada pelo banco",
    "malformed": "Resposta inválida",
    "unsupported": "Não oferecido",
    "error": "Erro",
}


@dataclass(frozen=True)
class CallOutcome:
    """What happened when one bank was asked; `message` is pt-BR for the user."""

    bank_code: str
    bank_name: str
    outcome: str
    message: str | None = None
    latency_ms: int = 0
    margin: MarginResult | None = None
    options: tuple[SimulationOption, ...] = ()
    authorization_link: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def classify(error: BankError) -> str:
    """The outcome code of a bank error."""
    if isinstance(error, NotAuthorized):
        return "not_authorized"
    if isinstance(error, BankTimeout):
        return "timeout"
    if isinstance(error, BankUnavailable):
        return "unavailable"
    if isinstance(error, MalformedResponse):
        return "malformed"
    if isinstance(error, UnsupportedCapability):
        return "unsupported"
    if isinstance(error, BankRejected):
        return "rejected"
    return "error"


def user_message(error: BankError, bank_name: str) -> str:
    """The message shown in the card: the connector's pt-BR text, with a hint to retry."""
    if isinstance(error, BankTimeout):
        return f"Banco {bank_name} não respondeu a tempo, tente em instantes"
    return error.message


def _timed(connector: Connector, action: Callable[[], T]) -> tuple[T | None, BankError | None, int]:
    started = time.perf_counter()
    try:
        result = action()
        error = None
    except BankError as exc:
        result, error = None, exc
    except Exception:  # a defect in an adapter must not break the page
        logger.exception("bank call failed unexpectedly bank=%s", connector.code)
        result = None
        error = BankError(f"Falha inesperada ao consultar o banco {connector.name}", connector.code)
    return result, error, int((time.perf_counter() - started) * 1000)


def margin_lookup(connector: Connector, request: BenefitQueryRequest) -> CallOutcome:
    """Ask one bank for the client's margin; never raises a `BankError`."""
    result, error, latency = _timed(connector, lambda: connector.benefit_query(request))
    if error is not None:
        return CallOutcome(
            connector.code,
            connector.name,
            classify(error),
            user_message(error, connector.name),
            latency,
            authorization_link=getattr(error, "authorization_link", None),
        )
    return CallOutcome(connector.code, connector.name, "ok", None, latency, margin=result)


def simulation(connector: Connector, request: SimulationRequest) -> CallOutcome:
    """Ask one bank for offers; an empty list is reported as a refusal, not an error."""
    result, error, latency = _timed(connector, lambda: connector.simulate(request))
    if error is not None:
        return CallOutcome(
            connector.code, connector.name, classify(error), user_message(error, connector.name), latency
        )
    if not result:
        return CallOutcome(
            connector.code,
            connector.name,
            "rejected",
            f"O banco {connector.name} não tem ofertas para estes dados",
            latency,
        )
    return CallOutcome(connector.code, connector.name, "ok", None, latency, options=tuple(result))


def run_concurrently(tasks: Sequence[Callable[[], T]], max_workers: int = MAX_PARALLEL_BANKS) -> list[T]:
    """Run the tasks in threads and return their results in the same order."""
    if len(tasks) <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(tasks)), thread_name_prefix="bank") as pool:
        futures = [pool.submit(task) for task in tasks]
        return [future.result() for future in futures]
