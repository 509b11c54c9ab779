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

from portal.banks.convert import malformed, money, need, parse_datetime
from portal.banks.errors import BankRejected
from portal.banks.http import BankAnswer
from portal.banks.protocol import BaseConnector
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


class MasterConnector(BaseConnector):
    """Master dialect: CNPJ-user token, ``status``/``resultado`` envelope; no new business."""

    CAPABILITIES = frozenset(
        {Capability.BENEFIT_QUERY, Capability.FETCH_STATUS, Capability.RECEIVE_WEBHOOK}
    )

    @property
    def under_liquidation(self) -> bool:
        """Always True: extrajudicial liquidation decreed on 18 Nov 2025."""
        return True

    @property
    def _n(self) -> tuple[str, str]:
        return self.code, self.name

    def simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        """Refused: a bank in liquidation originates no new loans."""
        raise BankRejected(LIQUIDATION_MESSAGE, self.code)

    def submit(self, request: SubmissionRequest) -> SubmissionResult:
        """Refused: a bank in liquidation originates no new loans."""
        raise BankRejected(LIQUIDATION_MESSAGE, self.code)

    def _scope(self) -> str:
        return self.http.tokens.scope_for(self.settings.credentials.get("cnpj", ""))

    def _fetch_token(self) -> tuple[str, float]:
        creds = self.settings.credentials
        answer = self.http.call(
            "POST",
            "/api/v1/autenticacao",
            "auth",
            json_body={"usuario": creds.get("cnpj", ""), "senha": creds.get("password", "")},
            idempotent=True,
            token_request=True,
        )
        if answer.status >= 400:
            raise BankRejected(f"Credenciais recusadas pelo banco {self.name}", self.code)
        token = need(answer.data, "token", *self._n)
        return str(token), float(answer.data.get("expiraEmSegundos") or 3600)

    def _auth(self, refresh: bool) -> dict[str, str]:
        if refresh:
            self.http.tokens.invalidate(self.code, self._scope())
        token = self.http.tokens.get_or_fetch(self.code, self._fetch_token, self._scope())
        return {"Authorization": f"Bearer {token}"}

    def _check(self, answer: BankAnswer) -> Any:
        data = answer.data
        if answer.status == 401:
            raise BankRejected(f"Credenciais recusadas pelo banco {self.name}", self.code)
        if not isinstance(data, dict) or "status" not in data:
            raise malformed(*self._n)
        if data["status"] == "OK" and answer.status < 400:
            return data.get("resultado")
        message = str(data.get("detalhe") or "operação não aceita")
        raise BankRejected(
            f"Banco {self.name} recusou a operação: {message}", self.code, bank_message=message
        )

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
        situation = str(need(data, "situacao", *self._n))
        if situation not in BENEFIT_STATES:
            raise malformed(*self._n)
        return MarginResult(
            bank=self.code,
            state=BENEFIT_STATES[situation],
            loan_margin=money(data.get("margemLivre", "0"), *self._n),
            rmc_margin=money(data.get("margemCartao", "0"), *self._n),
            rcc_margin=money(data.get("margemBeneficio", "0"), *self._n),
            blocks=tuple(str(r) for r in data.get("restricoes") or ()),
            bank_reference=str(data.get("idConsulta", "")),
        )

    def _update(self, row: Any) -> StatusUpdate:
        return StatusUpdate(
            bank=self.code,
            bank_proposal_number=str(need(row, "numeroProposta", *self._n)),
            bank_status=str(need(row, "situacao", *self._n)),
            occurred_at=parse_datetime(need(row, "dataSituacao", *self._n), *self._n),
            detail=str(row.get("detalhe") or ""),
        )

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        updates: list[StatusUpdate] = []
        requests_to_make: list[tuple[str, dict[str, str] | None]] = []
        if since is not None:
            requests_to_make.append(
                ("/api/v1/consignado/propostas", {"alteradasDesde": since.isoformat()})
            )
        requests_to_make.extend(
            (f"/api/v1/consignado/propostas/{number}", None) for number in proposal_numbers
        )
        for path, params in requests_to_make:
            answer = self.http.call(
                "GET", path, Capability.FETCH_STATUS, params=params, auth=self._auth
            )
            if answer.status == 404:
                continue
            updates.extend(self._update(row) for row in self._check(answer) or [])
        return sorted(updates, key=lambda u: u.occurred_at)

    def _translate_webhook(self, payload: Any) -> list[StatusUpdate]:
        if not isinstance(payload, list):
            raise malformed(*self._n)
        return [self._update(row) for row in payload]
