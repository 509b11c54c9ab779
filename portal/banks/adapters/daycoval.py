"""Banco Daycoval adapter.

Public facts followed: every call carries the company ``apikey`` header plus the
collaborator's own ``Login-Usuario`` header (no token exchange); the API is split into
sections by product: ``/margem`` (new loans on free margin), ``/refin``, ``/port``,
``/refinport`` and ``/fgts``; the signing link goes to the client by SMS, not to us.

Assumptions (the real contract is private): JSON bodies in camelCase; amounts and rates as
strings with decimal comma (``"1.234,56"``); envelope ``{"sucesso": bool, "dados": ...}`` and
``{"sucesso": false, "erros": [{"codigo", "mensagem"}]}`` with HTTP 4xx on refusals; error
code ``SEM_AUTORIZACAO`` when the client has not signed the query authorization term; each
section exposes ``/consulta`` (margin, only under ``/margem``), ``/simulacao`` and
``/proposta``; ``identificadorExterno`` deduplicates proposals; follow-up through
``/proposta/acompanhamento`` and ``/proposta/{numero}/situacao``; the proposal registered with
an external identifier is at ``/proposta/identificador/{identificadorExterno}`` (404 if none); webhook body
``{"evento", "numeroProposta", "situacao", "dataHoraSituacao", "observacao"}``.
Credentials: ``{"apikey": ..., "service_login": ...}`` (the service login is used
for background status sync when no collaborator is acting); operator: ``login``
(Login-Usuario) and ``certified_cpf``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.banks.convert import br_decimal, malformed, money, need, parse_datetime, to_decimal
from portal.banks.errors import BankRejected, NotAuthorized, UnsupportedCapability
from portal.banks.http import BankAnswer
from portal.banks.protocol import BaseConnector
from portal.banks.types import (
    BenefitQueryRequest,
    BenefitState,
    Capability,
    MarginResult,
    Product,
    SimulationOption,
    SimulationRequest,
    StatusUpdate,
    SubmissionRequest,
    SubmissionResult,
)

SECTIONS = {
    Product.NEW: "margem",
    Product.REFIN: "refin",
    Product.PORTABILITY: "port",
    Product.FGTS: "fgts",
}
BENEFIT_STATES = {
    "ATIVO": BenefitState.ACTIVE,
    "BLOQUEADO": BenefitState.BLOCKED,
    "NAO_ELEGIVEL": BenefitState.NOT_ELIGIBLE,
}
ACCOUNT_KINDS = {"checking": "CORRENTE", "savings": "POUPANCA", "payment": "PAGAMENTO"}


class DaycovalConnector(BaseConnector):
    """Daycoval dialect: apikey + Login-Usuario headers, comma decimals, SMS signing."""

    CAPABILITIES = frozenset(
        {
            Capability.BENEFIT_QUERY,
            Capability.SIMULATE,
            Capability.SUBMIT,
            Capability.FETCH_STATUS,
            Capability.RECEIVE_WEBHOOK,
        }
    )

    @property
    def _n(self) -> tuple[str, str]:
        return self.code, self.name

    def _headers(self, login: str | None = None) -> dict[str, str]:
        """Company apikey plus the user's login (a service login serves background sync)."""
        if not login:
            service = self.settings.credentials.get("service_login")
            login = service if self.operator is None and service else self._operator().login
        return {"apikey": self.settings.credentials.get("apikey", ""), "Login-Usuario": login}

    def _check(self, answer: BankAnswer) -> Any:
        data = answer.data
        if not isinstance(data, dict) or "sucesso" not in data:
            if answer.status == 401:
                raise BankRejected(f"Credenciais recusadas pelo banco {self.name}", self.code)
            raise malformed(*self._n)
        if data["sucesso"] and answer.status < 400:
            return data.get("dados")
        errors = data.get("erros") or [{}]
        first = errors[0] if isinstance(errors[0], dict) else {}
        message = str(first.get("mensagem") or "operação não aceita")
        if first.get("codigo") == "SEM_AUTORIZACAO":
            raise NotAuthorized("Cliente sem autorização de consulta", self.code, state="refused")
        if answer.status == 401:
            raise BankRejected(f"Credenciais recusadas pelo banco {self.name}", self.code)
        raise BankRejected(
            f"Banco {self.name} recusou a operação: {message}", self.code, bank_message=message
        )

    def _section(self, product: Product) -> str:
        section = SECTIONS.get(product)
        if section is None:
            raise UnsupportedCapability(
                f"O banco {self.name} não oferece este produto pela integração", self.code
            )
        return section

    def _do_benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        answer = self.http.call(
            "POST",
            "/margem/consulta",
            Capability.BENEFIT_QUERY,
            json_body={
                "cpf": request.cpf,
                "numeroBeneficio": request.benefit_number,
                "convenio": request.agreement.upper(),
            },
            headers=self._headers(),
            idempotent=True,  # a lookup: safe to repeat
        )
        data = self._check(answer)
        situation = str(need(data, "situacaoBeneficio", *self._n))
        if situation not in BENEFIT_STATES:
            raise malformed(*self._n)
        return MarginResult(
            bank=self.code,
            state=BENEFIT_STATES[situation],
            loan_margin=money(data.get("margemDisponivel", "0,00"), *self._n),
            rmc_margin=money(data.get("margemRmc", "0,00"), *self._n),
            rcc_margin=money(data.get("margemRcc", "0,00"), *self._n),
            blocks=tuple(str(b.get("descricao", "")) for b in data.get("bloqueios") or ()),
            bank_reference=str(data.get("protocolo", "")),
        )

    def _do_simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        section = self._section(request.product)
        body: dict[str, Any] = {
            "cpf": request.cpf,
            "convenio": request.agreement.upper(),
            "numeroBeneficio": request.benefit_number,
            "prazo": request.term_months,
        }
        if request.requested_amount is not None:
            body["valorSolicitado"] = br_decimal(request.requested_amount)
        else:
            body["valorParcela"] = br_decimal(request.installment)  # type: ignore[arg-type]
        answer = self.http.call(
            "POST",
            f"/{section}/simulacao",
            Capability.SIMULATE,
            json_body=body,
            headers=self._headers(),
            idempotent=True,  # a simulation changes nothing at the bank
        )
        data = self._check(answer)
        return [
            SimulationOption(
                bank=self.code,
                product=request.product,
                term_months=int(need(row, "prazo", *self._n)),
                installment=money(need(row, "valorParcela", *self._n), *self._n),
                monthly_rate=to_decimal(need(row, "taxaJurosMensal", *self._n), *self._n),
                cet_annual=to_decimal(row.get("cetAnual", "0"), *self._n),
                gross_amount=money(need(row, "valorBruto", *self._n), *self._n),
                net_amount=money(need(row, "valorLiquido", *self._n), *self._n),
                rate_table=str(need(row, "codigoTabela", *self._n)),
                bank_data={"idSimulacao": str(need(row, "idSimulacao", *self._n))},
            )
            for row in need(data, "simulacoes", *self._n)
        ]

    def _do_submit(self, request: SubmissionRequest) -> SubmissionResult:
        section = self._section(request.option.product)
        client, payout, address = request.client, request.payout, request.client.address
        body = {
            "identificadorExterno": request.idempotency_key,
            "idSimulacao": request.option.bank_data.get("idSimulacao", ""),
            "cpfAgenteCertificado": request.operator.certified_cpf,
            "cliente": {
                "nome": client.name,
                "cpf": client.cpf,
                "dataNascimento": client.birth_date.isoformat(),
                "nomeMae": client.mother_name,
                "telefoneCelular": client.phone,
                "email": client.email,
                "numeroBeneficio": client.benefit_number,
                "endereco": None
                if address is None
                else {
                    "cep": address.zip_code,
                    "logradouro": address.street,
                    "numero": address.number,
                    "complemento": address.complement,
                    "bairro": address.district,
                    "cidade": address.city,
                    "uf": address.state,
                },
            },
            "contaLiberacao": {
                "codigoBanco": payout.bank_code,
                "agencia": payout.branch,
                "conta": payout.account,
                "digito": payout.account_digit,
                "tipoConta": ACCOUNT_KINDS.get(payout.kind, "CORRENTE"),
            },
        }
        answer = self.http.call(
            "POST",
            f"/{section}/proposta",
            Capability.SUBMIT,
            json_body=body,
            headers=self._headers(request.operator.login),
        )
        data = self._check(answer)
        signing = data.get("formalizacao") or {}
        return SubmissionResult(
            bank_proposal_number=str(need(data, "numeroProposta", *self._n)),
            bank_status=str(need(data, "situacao", *self._n)),
            confirmed=True,
            signing_link=None,
            signing_channel="sms" if signing.get("canal", "SMS") == "SMS" else "link",
        )

    def _update(self, row: Any) -> StatusUpdate:
        return StatusUpdate(
            bank=self.code,
            bank_proposal_number=str(need(row, "numeroProposta", *self._n)),
            bank_status=str(need(row, "situacao", *self._n)),
            occurred_at=parse_datetime(need(row, "dataHoraSituacao", *self._n), *self._n),
            detail=str(row.get("observacao") or ""),
        )

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        updates: list[StatusUpdate] = []
        if since is not None:
            answer = self.http.call(
                "GET",
                "/proposta/acompanhamento",
                Capability.FETCH_STATUS,
                params={"dataAlteracaoInicio": since.isoformat()},
                headers=self._headers(),
            )
            data = self._check(answer)
            updates.extend(self._update(row) for row in need(data, "propostas", *self._n))
        for number in proposal_numbers:
            answer = self.http.call(
                "GET",
                f"/proposta/{number}/situacao",
                Capability.FETCH_STATUS,
                headers=self._headers(),
            )
            if answer.status == 404:
                continue
            updates.append(self._update(self._check(answer)))
        return sorted(updates, key=lambda u: u.occurred_at)

    def _do_find_by_key(self, key: str) -> SubmissionResult | None:
        answer = self.http.call(
            "GET",
            f"/proposta/identificador/{key}",
            Capability.FETCH_STATUS,
            headers=self._headers(),
        )
        if answer.status == 404:
            return None
        data = self._check(answer)
        return SubmissionResult(
            bank_proposal_number=str(need(data, "numeroProposta", *self._n)),
            bank_status=str(need(data, "situacao", *self._n)),
            confirmed=True,
            signing_channel="sms",
        )

    def _translate_webhook(self, payload: Any) -> list[StatusUpdate]:
        rows = payload if isinstance(payload, list) else [payload]
        return [self._update(row) for row in rows]
