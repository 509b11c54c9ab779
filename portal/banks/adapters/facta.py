"""Facta Financeira adapter.

Public facts followed (from integrations correspondents have published):
- Token: ``GET /gera-token`` with HTTP Basic auth (company user/password) answers a Bearer
  token valid for about one hour, with its expiry as ``dd/mm/aaaa HH:MM:SS`` (``expira``).
- Every answer carries ``{"erro": bool, "mensagem": str}``; a business refusal comes as HTTP
  200 with ``erro: true``.
- Simulation: ``/proposta/operacoes-disponiveis`` lists rate tables for an operation code
  (13 new, 14 refin, 003500 portability, 33 benefit card), then the proposal is built in three
  steps: ``/proposta/etapa1-simulador`` (needs the certified agent's login at Facta),
  ``/proposta/etapa2-dados-pessoais`` and ``/proposta/etapa3-proposta-cadastro``, which answers
  the contract code (``codigo``) and the signing link (``url_formalizacao``).
- Follow-up: ``/proposta/andamento-propostas`` (by period) and
  ``/proposta/consulta-ocorrencias`` (history of one contract).

Assumptions (the real contract is private): the margin lookup path
``/proposta/consulta-margem`` and its fields; POST steps take form fields; numbers in answers
are JSON numbers with a decimal point; times are Brasília local time; etapa3 accepts our
idempotency key as ``id_externo`` and answers the existing contract when it is repeated; the
"averbador" codes 3 (INSS) and 20095 (SIAPE); ``/proposta/consulta-id-externo?id_externo=``
finds the contract registered with our key (``erro: true`` when there is none).
Credentials: ``{"user": ..., "password": ...}``.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from portal.banks.adapters._common import (
    FULL_API,
    OptionFields,
    StatusFields,
    TokenConnector,
    oldest_first,
)
from portal.banks.errors import UnsupportedCapability
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

logger = logging.getLogger("portal.banks")

BRASILIA = ZoneInfo("America/Sao_Paulo")
OPERATION_CODES = {
    Product.NEW: "13",
    Product.REFIN: "14",
    Product.PORTABILITY: "003500",
    Product.CARD: "33",
}
AVERBADORES = {"INSS": "3", "SIAPE": "20095"}
BENEFIT_STATES = {
    "ATIVO": BenefitState.ACTIVE,
    "BLOQUEADO": BenefitState.BLOCKED,
    "NAO ELEGIVEL": BenefitState.NOT_ELIGIBLE,
}
TABLE_FIELDS = OptionFields(
    term="prazo",
    installment="parcela",
    rate="taxa",
    cet="taxa_cet_anual",
    gross="contrato",
    net="valor_liquido",
)
# Rows of /andamento-propostas, and of /consulta-ocorrencias (which leaves out the number).
PROGRESS_FIELDS = StatusFields(
    "codigo_af", "status_proposta", "data_movimento", "descricao", tz=BRASILIA
)
OCCURRENCE_FIELDS = StatusFields("codigo_af", "status", "data", "obs", tz=BRASILIA)


class FactaConnector(TokenConnector):
    """Facta dialect: Basic-auth token, ``erro``/``mensagem`` envelopes, three-step submission."""

    CAPABILITIES = FULL_API - {Capability.RECEIVE_WEBHOOK}  # followed by polling only
    USER_CREDENTIAL = "user"

    # --- auth ---------------------------------------------------------------------------
    def _fetch_token(self) -> tuple[str, float]:
        creds = self.settings.credentials
        basic = _basic(creds.get("user", ""), creds.get("password", ""))
        answer = self._token_call("GET", "/gera-token", headers={"Authorization": basic})
        data = self._check(answer)
        token = self._need(data, "token")
        lifetime = 3600.0
        if data.get("expira"):
            expires = self._datetime(data["expira"], BRASILIA)
            lifetime = max(60.0, expires.timestamp() - self.clock())
        return str(token), lifetime

    def _check(self, answer: BankAnswer) -> dict[str, Any]:
        data = answer.data
        if answer.status == 401:
            raise self._credentials_refused()
        if not isinstance(data, dict) or "erro" not in data:
            raise self._malformed()
        if data["erro"] or answer.status >= 400:
            raise self._refusal(data.get("mensagem"))
        return data

    def _ask(self, path: str, capability: Capability, params: dict[str, Any]) -> BankAnswer:
        return self.http.call("GET", path, capability, params=params, auth=self._auth)

    def _get(self, path: str, capability: Capability, params: dict[str, Any]) -> dict[str, Any]:
        return self._check(self._ask(path, capability, params))

    def _post(self, path: str, form: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.call("POST", path, Capability.SUBMIT, form=form, auth=self._auth)
        return self._check(answer)

    def _averbador(self, agreement: str) -> str:
        code = AVERBADORES.get(agreement.upper())
        if code is None:
            raise UnsupportedCapability(
                f"O banco {self.name} não oferece o convênio {agreement} pela integração", self.code
            )
        return code

    # --- operations ---------------------------------------------------------------------
    def _do_benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        data = self._get(
            "/proposta/consulta-margem",
            Capability.BENEFIT_QUERY,
            {
                "cpf": request.cpf,
                "beneficio": request.benefit_number or "",
                "averbador": self._averbador(request.agreement),
            },
        )
        margin = self._need(data, "margem")
        situation = self._need_text(margin, "situacao").upper()
        return MarginResult(
            bank=self.code,
            state=self._benefit_state(BENEFIT_STATES, situation),
            loan_margin=self._money(margin.get("valor_margem_disponivel", 0)),
            rmc_margin=self._money(margin.get("valor_margem_rmc", 0)),
            rcc_margin=self._money(margin.get("valor_margem_rcc", 0)),
            blocks=tuple(str(b) for b in margin.get("bloqueios") or ()),
            bank_reference=str(margin.get("protocolo", "")),
        )

    def _do_simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        operation = OPERATION_CODES.get(request.product)
        if operation is None:
            raise self._product_unsupported()
        by_amount = request.requested_amount is not None
        value = request.requested_amount if by_amount else request.installment
        averbador = self._averbador(request.agreement)
        data = self._get(
            "/proposta/operacoes-disponiveis",
            Capability.SIMULATE,
            {
                "produto": "D",
                "tipo_operacao": operation,
                "averbador": averbador,
                "convenio": averbador,
                "opcao_valor": "1" if by_amount else "2",
                "valor": f"{value:.2f}",
                "prazo": request.term_months,
                "cpf": request.cpf,
                "data_nascimento": request.birth_date.strftime("%d/%m/%Y")
                if request.birth_date
                else "",
            },
        )
        return [
            self._option(
                row,
                request.product,
                TABLE_FIELDS,
                rate_table=self._need_text(row, "codigoTabela"),
                bank_data={
                    "tipo_operacao": operation,
                    "averbador": averbador,
                    "coeficiente": str(row.get("coeficiente", "")),
                    "tabela": str(row.get("tabela", "")),
                },
            )
            for row in data.get("tabelas") or []
        ]

    def _do_submit(self, request: SubmissionRequest) -> SubmissionResult:
        option, client, payout = request.option, request.client, request.payout
        extra = option.bank_data
        step1 = self._post(
            "/proposta/etapa1-simulador",
            {
                "produto": "D",
                "tipo_operacao": extra.get("tipo_operacao", OPERATION_CODES[option.product]),
                "averbador": extra.get("averbador", self._averbador(request.agreement)),
                "convenio": extra.get("averbador", self._averbador(request.agreement)),
                "cpf": client.cpf,
                "data_nascimento": client.birth_date.strftime("%d/%m/%Y"),
                "login_certificado": request.operator.login,
                "codigo_tabela": option.rate_table,
                "prazo": option.term_months,
                "valor_operacao": f"{option.gross_amount:.2f}",
                "valor_parcela": f"{option.installment:.2f}",
                "coeficiente": extra.get("coeficiente", ""),
            },
        )
        simulation_id = self._need_text(step1, "id_simulador")
        address = client.address
        step2 = self._post(
            "/proposta/etapa2-dados-pessoais",
            {
                "id_simulador": simulation_id,
                "cpf": client.cpf,
                "nome": client.name,
                "data_nascimento": client.birth_date.strftime("%d/%m/%Y"),
                "nome_mae": client.mother_name,
                "celular": client.phone,
                "email": client.email,
                "matricula": client.benefit_number or "",
                "cep": address.zip_code if address else "",
                "endereco": address.street if address else "",
                "numero": address.number if address else "",
                "bairro": address.district if address else "",
                "cidade": address.city if address else "",
                "estado": address.state if address else "",
                "banco": payout.bank_code,
                "agencia": payout.branch,
                "conta": f"{payout.account}-{payout.account_digit}".rstrip("-"),
                "tipo_conta": "P" if payout.kind == "savings" else "C",
            },
        )
        client_code = self._need_text(step2, "codigo_cliente")
        step3 = self._post(
            "/proposta/etapa3-proposta-cadastro",
            {
                "id_simulador": simulation_id,
                "codigo_cliente": client_code,
                "id_externo": request.idempotency_key,
            },
        )
        return SubmissionResult(
            bank_proposal_number=self._need_text(step3, "codigo"),
            bank_status=str(step3.get("status") or "AGUARDANDO ASSINATURA DIGITAL"),
            confirmed=True,
            signing_link=step3.get("url_formalizacao"),
        )

    def _do_find_by_key(self, key: str) -> SubmissionResult | None:
        answer = self._ask(
            "/proposta/consulta-id-externo", Capability.FETCH_STATUS, {"id_externo": key}
        )
        if isinstance(answer.data, dict) and answer.data.get("erro") and answer.status < 500:
            return None  # Facta answers {"erro": true} when no proposal has this id
        data = self._check(answer)
        return SubmissionResult(
            bank_proposal_number=self._need_text(data, "codigo"),
            bank_status=str(data.get("status") or ""),
            confirmed=True,
            signing_link=data.get("url_formalizacao"),
        )

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        # Facta lists changes by whole days (Brasília), so the moment is filtered here.
        updates: list[StatusUpdate] = []
        if since is not None:
            start = since.astimezone(BRASILIA)
            end = datetime.fromtimestamp(self.clock(), BRASILIA) + timedelta(days=1)
            data = self._get(
                "/proposta/andamento-propostas",
                Capability.FETCH_STATUS,
                {"data_ini": start.strftime("%d/%m/%Y"), "data_fim": end.strftime("%d/%m/%Y")},
            )
            for row in data.get("propostas") or []:
                update = self._status_update(row, PROGRESS_FIELDS)
                if update.occurred_at >= since:
                    updates.append(update)
        for number in proposal_numbers:
            answer = self._ask(
                "/proposta/consulta-ocorrencias", Capability.FETCH_STATUS, {"codigo_af": number}
            )
            if isinstance(answer.data, dict) and answer.data.get("erro"):
                logger.warning("facta: no occurrences for a requested proposal")
                continue
            data = self._check(answer)
            updates.extend(
                self._status_update(row, OCCURRENCE_FIELDS, number)
                for row in data.get("ocorrencias") or []
            )
        return oldest_first(updates)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
