"""The `Connector` protocol every bank adapter implements, and a base class doing the checks.

Callers use only this protocol: they never know a bank's dialect. An operation the bank does
not offer (or that the admin disabled in `BankSettings.capabilities`) raises
`UnsupportedCapability` with a pt-BR message ("... não oferece ...").
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from portal.banks.convert import malformed
from portal.banks.errors import BankError, UnsupportedCapability
from portal.banks.http import BankHttp
from portal.banks.state import StateStore
from portal.banks.types import (
    BankSettings,
    BenefitQueryRequest,
    Capability,
    MarginResult,
    OperatorCredentials,
    SimulationOption,
    SimulationRequest,
    StatusUpdate,
    SubmissionRequest,
    SubmissionResult,
)
from portal.banks.webhooks import verify_webhook

if TYPE_CHECKING:
    import requests

CAPABILITY_LABELS = {
    Capability.BENEFIT_QUERY: "consulta de margem",
    Capability.SIMULATE: "simulação",
    Capability.SUBMIT: "digitação de propostas",
    Capability.FETCH_STATUS: "consulta de andamento de propostas",
    Capability.RECEIVE_WEBHOOK: "notificações automáticas (webhook)",
    Capability.FILE_ONLY: "integração por arquivos",
}


@runtime_checkable
class Connector(Protocol):
    """What the rest of Athenas may ask of a bank."""

    code: str
    name: str

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    @property
    def under_liquidation(self) -> bool: ...

    def benefit_query(self, request: BenefitQueryRequest) -> MarginResult: ...

    def simulate(self, request: SimulationRequest) -> list[SimulationOption]: ...

    def submit(self, request: SubmissionRequest) -> SubmissionResult: ...

    def fetch_status(
        self,
        *,
        since: datetime | None = None,
        proposal_numbers: Sequence[str] | None = None,
    ) -> list[StatusUpdate]: ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[StatusUpdate]: ...

    def find_by_idempotency_key(self, key: str) -> SubmissionResult | None: ...


class BaseConnector:
    """Checks capabilities, verifies webhooks and holds the HTTP client; adapters fill `_do_*`."""

    CAPABILITIES: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(
        self,
        settings: BankSettings,
        store: StateStore,
        operator: OperatorCredentials | None = None,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.code = settings.code
        self.name = settings.name
        self.store = store
        self.operator = operator
        self.clock = clock
        self.http = BankHttp(settings, store, session=session)

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What the adapter can do, narrowed by the admin's configuration when given."""
        if self.settings.capabilities:
            return self.CAPABILITIES & self.settings.capabilities
        return self.CAPABILITIES

    @property
    def under_liquidation(self) -> bool:
        """True when the bank is in extrajudicial liquidation (counterparty risk)."""
        return self.settings.under_liquidation

    def _require(self, capability: Capability) -> None:
        if capability not in self.capabilities:
            label = CAPABILITY_LABELS[capability]
            raise UnsupportedCapability(
                f"O banco {self.name} não oferece {label} pela integração", self.code
            )

    def _operator(self) -> OperatorCredentials:
        if self.operator is None:
            raise BankError(
                f"Cadastre o login do colaborador no banco {self.name} para esta operação",
                self.code,
            )
        return self.operator

    # Public API: check, then delegate to the adapter.
    def benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        """Available margin and benefit state for the client."""
        self._require(Capability.BENEFIT_QUERY)
        # An agent waits on lookups: the read timeout bounds the whole lookup, retries and
        # token included, not each attempt.
        with self.http.deadline(self.settings.read_timeout):
            return self._do_benefit_query(request)

    def simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        """Offers for the requested product, amount/installment and term."""
        self._require(Capability.SIMULATE)
        with self.http.deadline(self.settings.read_timeout):
            return self._do_simulate(request)

    def submit(self, request: SubmissionRequest) -> SubmissionResult:
        """Register the proposal at the bank (same idempotency key -> same proposal)."""
        self._require(Capability.SUBMIT)
        return self._do_submit(request)

    def fetch_status(
        self,
        *,
        since: datetime | None = None,
        proposal_numbers: Sequence[str] | None = None,
    ) -> list[StatusUpdate]:
        """Status changes since a moment, or the current status of the given proposals."""
        self._require(Capability.FETCH_STATUS)
        if since is None and not proposal_numbers:
            raise ValueError("Informe a data inicial ou os números das propostas.")
        return self._do_fetch_status(since, list(proposal_numbers or []))

    def find_by_idempotency_key(self, key: str) -> SubmissionResult | None:
        """The proposal the bank registered with our idempotency key, or None when it has none.

        Resolves a "submission unconfirmed" (the answer to `submit` was lost) without
        submitting again.
        """
        self._require(Capability.FETCH_STATUS)
        return self._do_find_by_key(key)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[StatusUpdate]:
        """Verify a webhook's signature, freshness and uniqueness; translate its events."""
        self._require(Capability.RECEIVE_WEBHOOK)
        verify_webhook(
            self.settings.webhook_secret, headers, body, self.store, self.clock(), bank=self.code
        )
        try:
            payload = json.loads(body, parse_float=Decimal)
        except ValueError:
            raise malformed(self.code, self.name) from None
        return self._translate_webhook(payload)

    # Adapter hooks.
    def _do_benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        raise NotImplementedError

    def _do_simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        raise NotImplementedError

    def _do_submit(self, request: SubmissionRequest) -> SubmissionResult:
        raise NotImplementedError

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        raise NotImplementedError

    def _translate_webhook(self, payload: Any) -> list[StatusUpdate]:
        raise NotImplementedError

    def _do_find_by_key(self, key: str) -> SubmissionResult | None:
        raise UnsupportedCapability(
            f"O banco {self.name} não permite localizar propostas pelo identificador externo",
            self.code,
        )
