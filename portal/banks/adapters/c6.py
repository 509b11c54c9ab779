"""C6 Consig adapter for the CLT payroll loan ("Crédito do Trabalhador", Lei 15.179/2025).

Public facts followed: ``POST /auth/token`` gives a Bearer token valid about 20 minutes; the
flow is offer -> client authorization link (the client authorises with a selfie) ->
simulation with up to 5 plans -> inclusion with the certified agent's CPF -> signing link valid
for 30 days; authorization states are AUTORIZADO, AGUARDANDO_AUTORIZACAO and NAO_AUTORIZADO.

Assumptions (the real contract is private): token request is a form with ``username`` and
``password`` answered as OAuth-style ``access_token``/``expires_in``; snake_case JSON with
numbers as JSON decimals; authorization at ``/clt/autorizacoes`` (GET by CPF, POST to request
a link), offer at ``/clt/ofertas/{cpf}``, plans at ``/clt/simulacoes``, inclusion at
``/clt/propostas`` deduplicated by the ``Idempotency-Key`` header (and found again at
``/clt/propostas/idempotencia/{key}``, 404 if none); refusals as HTTP 4xx with
``{"codigo", "mensagem"}``; webhook body ``{"eventos": [{"numero_proposta", "status",
"atualizado_em", "motivo"}]}``. Credentials: ``{"username": ..., "password": ...}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.banks.adapters._common import FULL_API, OptionFields, StatusFields, TokenConnector
from portal.banks.errors import NotAuthorized
from portal.banks.http import BankAnswer
from portal.banks.types import (
    AuthorizationLink,
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

AUTHORIZED = "AUTORIZADO"
PENDING = "AGUARDANDO_AUTORIZACAO"
REFUSED = "NAO_AUTORIZADO"
ACCOUNT_KINDS = {"checking": "CONTA_CORRENTE", "savings": "POUPANCA", "payment": "PAGAMENTO"}
PLAN_FIELDS = OptionFields(
    term="prazo_meses",
    installment="valor_parcela",
    rate="taxa_mensal",
    cet="cet_anual",
    gross="valor_bruto",
    net="valor_liquido",
)


class C6Connector(TokenConnector):
    """C6 CLT dialect: short-lived token, client authorization before any query."""

    CAPABILITIES = FULL_API
    USER_CREDENTIAL = "username"
    STATUS_FIELDS = StatusFields("numero_proposta", "status", "atualizado_em", "motivo")

    # --- auth ---------------------------------------------------------------------------
    def _fetch_token(self) -> tuple[str, float]:
        creds = self.settings.credentials
        form = {"username": creds.get("username", ""), "password": creds.get("password", "")}
        # issuing a token changes nothing: safe to repeat
        answer = self._token_call("POST", "/auth/token", form=form, idempotent=True)
        return self._token_from(answer, "access_token", "expires_in", 1200)

    def _check(self, answer: BankAnswer) -> Any:
        if answer.status < 400:
            if answer.data is None:
                raise self._malformed()
            return answer.data
        data = answer.data if isinstance(answer.data, dict) else {}
        code = str(data.get("codigo", ""))
        if code in (PENDING, REFUSED, "AUTORIZACAO_PENDENTE", "NAO_AUTORIZADO"):
            state = "refused" if code in (REFUSED, "NAO_AUTORIZADO") else "pending"
            raise NotAuthorized("Cliente sem autorização de consulta", self.code, state=state)
        if answer.status == 401:
            raise self._credentials_refused()
        raise self._refusal(data.get("mensagem"))

    def _call(self, method: str, path: str, capability: Capability, **kwargs: Any) -> BankAnswer:
        return self.http.call(method, path, capability, auth=self._auth, **kwargs)

    # --- authorization ------------------------------------------------------------------
    def authorization(self, cpf: str) -> AuthorizationLink:
        """Current authorization state of the client (NAO_SOLICITADA when never requested)."""
        answer = self._call("GET", f"/clt/autorizacoes/{cpf}", Capability.BENEFIT_QUERY)
        if answer.status == 404:
            return AuthorizationLink(state="NAO_SOLICITADA", link=None)
        return self._link(self._check(answer))

    def request_authorization(self, cpf: str, phone: str = "") -> AuthorizationLink:
        """Ask the bank for the link the client opens to authorise the query (selfie)."""
        answer = self._call(
            "POST",
            "/clt/autorizacoes",
            Capability.BENEFIT_QUERY,
            json_body={"cpf": cpf, "celular": phone},
            idempotent=True,  # the bank answers the same open request when repeated
        )
        return self._link(self._check(answer))

    def _link(self, data: Any) -> AuthorizationLink:
        expires = data.get("expira_em")
        return AuthorizationLink(
            state=self._need_text(data, "status"),
            link=data.get("link_autorizacao"),
            expires_at=self._datetime(expires) if expires else None,
        )

    # --- operations ---------------------------------------------------------------------
    def _do_benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        auth = self.authorization(request.cpf)
        if auth.state != AUTHORIZED:
            state = {PENDING: "pending", REFUSED: "refused"}.get(auth.state, "not_requested")
            message = "Cliente sem autorização de consulta"
            if state == "pending":
                message += ": aguardando o cliente autorizar pelo link enviado"
            raise NotAuthorized(message, self.code, state=state, authorization_link=auth.link)
        data = self._check(
            self._call("GET", f"/clt/ofertas/{request.cpf}", Capability.BENEFIT_QUERY)
        )
        if not data.get("elegivel", False):
            state = BenefitState.NOT_ELIGIBLE
        elif str(data.get("situacao_vinculo", "ATIVO")) == "BLOQUEADO":
            state = BenefitState.BLOCKED
        else:
            state = BenefitState.ACTIVE
        return MarginResult(
            bank=self.code,
            state=state,
            loan_margin=self._money(data.get("margem_disponivel", 0)),
            blocks=tuple(str(b) for b in data.get("bloqueios") or ()),
            bank_reference=str(data.get("id_oferta", "")),
        )

    def _do_simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        if request.product is not Product.CLT:
            raise self._product_unsupported()
        body: dict[str, Any] = {"cpf": request.cpf, "prazo_meses": request.term_months}
        if request.requested_amount is not None:
            body["valor_solicitado"] = float(request.requested_amount)
        else:
            body["valor_parcela"] = float(request.installment)  # type: ignore[arg-type]
        data = self._check(
            self._call(
                "POST", "/clt/simulacoes", Capability.SIMULATE, json_body=body, idempotent=True
            )
        )
        return [
            self._option(
                plan,
                Product.CLT,
                PLAN_FIELDS,
                rate_table=str(plan.get("codigo_tabela", "")),
                bank_data={"id_plano": self._need_text(plan, "id_plano")},
            )
            for plan in self._need(data, "planos")[:5]
        ]

    def _do_submit(self, request: SubmissionRequest) -> SubmissionResult:
        client, payout, address = request.client, request.payout, request.client.address
        body = {
            "id_plano": request.option.bank_data.get("id_plano", ""),
            "cpf_correspondente_certificado": request.operator.certified_cpf,
            "cliente": {
                "nome": client.name,
                "cpf": client.cpf,
                "data_nascimento": client.birth_date.isoformat(),
                "nome_mae": client.mother_name,
                "celular": client.phone,
                "email": client.email,
                "endereco": None
                if address is None
                else {
                    "cep": address.zip_code,
                    "logradouro": address.street,
                    "numero": address.number,
                    "bairro": address.district,
                    "cidade": address.city,
                    "uf": address.state,
                },
            },
            "conta_credito": {
                "banco": payout.bank_code,
                "agencia": payout.branch,
                "conta": payout.account,
                "digito": payout.account_digit,
                "tipo": ACCOUNT_KINDS.get(payout.kind, "CONTA_CORRENTE"),
            },
        }
        data = self._check(
            self._call(
                "POST",
                "/clt/propostas",
                Capability.SUBMIT,
                json_body=body,
                headers={"Idempotency-Key": request.idempotency_key},
            )
        )
        return self._submission(data)

    def _submission(self, data: Any) -> SubmissionResult:
        """An included proposal with its signing link (valid for 30 days)."""
        expires = data.get("link_expira_em")
        return SubmissionResult(
            bank_proposal_number=self._need_text(data, "numero_proposta"),
            bank_status=self._need_text(data, "status"),
            confirmed=True,
            signing_link=data.get("link_assinatura"),
            signing_link_expires_at=self._datetime(expires) if expires else None,
        )

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        return self._follow_up(
            since,
            proposal_numbers,
            changed_since=self._changed_since,
            current=lambda number: self._call(
                "GET", f"/clt/propostas/{number}", Capability.FETCH_STATUS
            ),
        )

    def _changed_since(self, since: datetime) -> list[Any]:
        params = {"atualizado_desde": since.isoformat()}
        answer = self._call("GET", "/clt/propostas", Capability.FETCH_STATUS, params=params)
        return self._need(self._check(answer), "propostas")

    def _do_find_by_key(self, key: str) -> SubmissionResult | None:
        answer = self._call("GET", f"/clt/propostas/idempotencia/{key}", Capability.FETCH_STATUS)
        if answer.status == 404:
            return None
        return self._submission(self._check(answer))

    def _translate_webhook(self, payload: Any) -> list[StatusUpdate]:
        return [self._update(row) for row in self._need_list(payload, "eventos")]
