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

from portal.banks.adapters._common import FULL_API, DialectConnector, OptionFields, StatusFields
from portal.banks.convert import br_decimal
from portal.banks.errors import NotAuthorized
from portal.banks.http import BankAnswer
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
SIMULATION_FIELDS = OptionFields(
    term="prazo",
    installment="valorParcela",
    rate="taxaJurosMensal",
    cet="cetAnual",
    gross="valorBruto",
    net="valorLiquido",
)


class DaycovalConnector(DialectConnector):
    """Daycoval dialect: apikey + Login-Usuario headers, comma decimals, SMS signing."""

    CAPABILITIES = FULL_API
    STATUS_FIELDS = StatusFields("numeroProposta", "situacao", "dataHoraSituacao", "observacao")

    def _headers(self, login: str | None = None) -> dict[str, str]:
        """Company apikey plus the user's login (a service login serves background sync)."""
        if not login:
            service = self.settings.credentials.get("service_login")
            login = service if self.operator is None and service else self._operator().login
        return {"apikey": self.settings.credentials.get("apikey", ""), "Login-Usuario": login}

    def _call(
        self,
        method: str,
        path: str,
        capability: Capability,
        login: str | None = None,
        **kwargs: Any,
    ) -> BankAnswer:
        """One call with the apikey and `login` (default: the acting or service login)."""
        return self.http.call(method, path, capability, headers=self._headers(login), **kwargs)

    def _check(self, answer: BankAnswer) -> Any:
        data = answer.data
        if not isinstance(data, dict) or "sucesso" not in data:
            if answer.status == 401:
                raise self._credentials_refused()
            raise self._malformed()
        if data["sucesso"] and answer.status < 400:
            return data.get("dados")
        errors = data.get("erros") or [{}]
        first = errors[0] if isinstance(errors[0], dict) else {}
        if first.get("codigo") == "SEM_AUTORIZACAO":
            raise NotAuthorized("Cliente sem autorização de consulta", self.code, state="refused")
        if answer.status == 401:
            raise self._credentials_refused()
        raise self._refusal(first.get("mensagem"))

    def _section(self, product: Product) -> str:
        section = SECTIONS.get(product)
        if section is None:
            raise self._product_unsupported()
        return section

    def _do_benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        answer = self._call(
            "POST",
            "/margem/consulta",
            Capability.BENEFIT_QUERY,
            json_body={
                "cpf": request.cpf,
                "numeroBeneficio": request.benefit_number,
                "convenio": request.agreement.upper(),
            },
            idempotent=True,  # a lookup: safe to repeat
        )
        data = self._check(answer)
        situation = self._need_text(data, "situacaoBeneficio")
        return MarginResult(
            bank=self.code,
            state=self._benefit_state(BENEFIT_STATES, situation),
            loan_margin=self._money(data.get("margemDisponivel", "0,00")),
            rmc_margin=self._money(data.get("margemRmc", "0,00")),
            rcc_margin=self._money(data.get("margemRcc", "0,00")),
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
        answer = self._call(
            "POST",
            f"/{section}/simulacao",
            Capability.SIMULATE,
            json_body=body,
            idempotent=True,  # a simulation changes nothing at the bank
        )
        data = self._check(answer)
        return [
            self._option(
                row,
                request.product,
                SIMULATION_FIELDS,
                rate_table=self._need_text(row, "codigoTabela"),
                bank_data={"idSimulacao": self._need_text(row, "idSimulacao")},
            )
            for row in self._need(data, "simulacoes")
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
        answer = self._call(
            "POST",
            f"/{section}/proposta",
            Capability.SUBMIT,
            request.operator.login,  # the collaborator who types it, never the service login
            json_body=body,
        )
        data = self._check(answer)
        signing = data.get("formalizacao") or {}
        return SubmissionResult(
            bank_proposal_number=self._need_text(data, "numeroProposta"),
            bank_status=self._need_text(data, "situacao"),
            confirmed=True,
            signing_link=None,
            signing_channel="sms" if signing.get("canal", "SMS") == "SMS" else "link",
        )

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        return self._follow_up(
            since,
            proposal_numbers,
            changed_since=self._changed_since,
            current=lambda number: self._call(
                "GET", f"/proposta/{number}/situacao", Capability.FETCH_STATUS
            ),
        )

    def _changed_since(self, since: datetime) -> list[Any]:
        params = {"dataAlteracaoInicio": since.isoformat()}
        answer = self._call(
            "GET", "/proposta/acompanhamento", Capability.FETCH_STATUS, params=params
        )
        return self._need(self._check(answer), "propostas")

    def _do_find_by_key(self, key: str) -> SubmissionResult | None:
        answer = self._call("GET", f"/proposta/identificador/{key}", Capability.FETCH_STATUS)
        if answer.status == 404:
            return None
        data = self._check(answer)
        return SubmissionResult(
            bank_proposal_number=self._need_text(data, "numeroProposta"),
            bank_status=self._need_text(data, "situacao"),
            confirmed=True,
            signing_channel="sms",
        )

    def _translate_webhook(self, payload: Any) -> list[StatusUpdate]:
        rows = payload if isinstance(payload, list) else [payload]
        return [self._update(row) for row in rows]
