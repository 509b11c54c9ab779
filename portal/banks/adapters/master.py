"""Banco Master adapter (kept for the contracts already on the books).

Public facts followed: a token endpoint where the user is the correspondent's CNPJ. Banco
Master was put under extrajudicial liquidation by the Central Bank on 18 Nov 2025: it
originates no new loans, but existing contracts still change status (settlements, portability
out) and deferred commissions owed by it are a counterparty exposure. So this connector
reports ``under_liquidation=True`` and only offers margin lookups, status follow-up and
webhooks; simulation and submission answer a clear pt-BR refusal.

Assumptions (the real contract is private): ``POST /api/v1/autenticacao`` with JSON
``{"usuario": cnpj, "senha"}`` answering ``{"token", "expiraEmSegundos"}``; envelope
``{"status": "OK"|"ERRO", "resultado": ..., "detalhe": ...}``; amounts as strings with a decimal
point; margin at ``/api/v1/consignado/margens``; proposals at ``/api/v1/consignado/propostas``;
webhook body is a JSON list of ``{"numeroProposta", "situacao", "dataSituacao", "detalhe"}``.
Credentials: ``{"cnpj": ..., "password": ...}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.banks.adapters._common import StatusFields, TokenConnector
from portal.banks.errors import BankRejected
from portal.banks.http import BankAnswer
from portal.banks.types import (
    BenefitQueryRequest,
    BenefitState,
    Capability,
    MarginResult,
    SimulationOption,
    SimulationRequest,
    StatusUpdate,
    SubmissionRequest,
    SubmissionResult,
)

LIQUIDATION_MESSAGE = (
    "O Banco Master está em liquidação extrajudicial desde 18/11/2025: "
    "novas simulações e propostas estão suspensas"
)
BENEFIT_STATES = {
    "ATIVO": BenefitState.ACTIVE,
    "BLOQUEADO": BenefitState.BLOCKED,
    "INELEGIVEL": BenefitState.NOT_ELIGIBLE,
}
PROPOSALS = "/api/v1/consignado/propostas"


class MasterConnector(TokenConnector):
    """Master dialect: CNPJ-user token, ``status``/``resultado`` envelope; no new business."""

    CAPABILITIES = frozenset(
        {Capability.BENEFIT_QUERY, Capability.FETCH_STATUS, Capability.RECEIVE_WEBHOOK}
    )
    USER_CREDENTIAL = "cnpj"
    STATUS_FIELDS = StatusFields("numeroProposta", "situacao", "dataSituacao", "detalhe")

    @property
    def under_liquidation(self) -> bool:
        """Always True: extrajudicial liquidation decreed on 18 Nov 2025."""
        return True

    def simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        """Refused: a bank in liquidation originates no new loans."""
        raise BankRejected(LIQUIDATION_MESSAGE, self.code)

    def submit(self, request: SubmissionRequest) -> SubmissionResult:
        """Refused: a bank in liquidation originates no new loans."""
        raise BankRejected(LIQUIDATION_MESSAGE, self.code)

    def _fetch_token(self) -> tuple[str, float]:
        creds = self.settings.credentials
        body = {"usuario": creds.get("cnpj", ""), "senha": creds.get("password", "")}
        answer = self._token_call("POST", "/api/v1/autenticacao", json_body=body, idempotent=True)
        return self._token_from(answer, "token", "expiraEmSegundos", 3600)

    def _check(self, answer: BankAnswer) -> Any:
        data = answer.data
        if answer.status == 401:
            raise self._credentials_refused()
        if not isinstance(data, dict) or "status" not in data:
            raise self._malformed()
        if data["status"] == "OK" and answer.status < 400:
            return data.get("resultado")
        raise self._refusal(data.get("detalhe"))

    def _get(self, path: str, params: dict[str, str] | None = None) -> BankAnswer:
        return self.http.call("GET", path, Capability.FETCH_STATUS, params=params, auth=self._auth)

    def _do_benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        data = self._check(
            self.http.call(
                "POST",
                "/api/v1/consignado/margens",
                Capability.BENEFIT_QUERY,
                json_body={
                    "cpfCliente": request.cpf,
                    "numeroBeneficio": request.benefit_number,
                    "convenio": request.agreement.upper(),
                },
                auth=self._auth,
                idempotent=True,
            )
        )
        situation = str(self._need(data, "situacao"))
        return MarginResult(
            bank=self.code,
            state=self._benefit_state(BENEFIT_STATES, situation),
            loan_margin=self._money(data.get("margemLivre", "0")),
            rmc_margin=self._money(data.get("margemCartao", "0")),
            rcc_margin=self._money(data.get("margemBeneficio", "0")),
            blocks=tuple(str(r) for r in data.get("restricoes") or ()),
            bank_reference=str(data.get("idConsulta", "")),
        )

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        # Both the list and one proposal come as a list of rows; a 404 means none.
        return self._follow_up(
            since,
            proposal_numbers,
            changed_since=lambda moment: self._rows(
                self._get(PROPOSALS, {"alteradasDesde": moment.isoformat()})
            ),
            current=lambda number: self._get(f"{PROPOSALS}/{number}"),
            rows_of_one=lambda data: data or [],
        )

    def _rows(self, answer: BankAnswer) -> Any:
        return [] if answer.status == 404 else self._check(answer) or []

    def _translate_webhook(self, payload: Any) -> list[StatusUpdate]:
        if not isinstance(payload, list):
            raise self._malformed()
        return [self._update(row) for row in payload]
