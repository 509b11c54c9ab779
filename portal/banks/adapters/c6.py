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

from portal.banks.convert import malformed, money, need, parse_datetime, to_decimal
from portal.banks.errors import BankRejected, NotAuthorized, UnsupportedCapability
from portal.banks.http import BankAnswer
from portal.banks.protocol import BaseConnector
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


class C6Connector(BaseConnector):
    """C6 CLT dialect: short-lived token, client authorization before any query."""

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

    # --- auth ---------------------------------------------------------------------------
    def _scope(self) -> str:
        return self.http.tokens.scope_for(self.settings.credentials.get("username", ""))

    def _fetch_token(self) -> tuple[str, float]:
        creds = self.settings.credentials
        answer = self.http.call(
            "POST",
            "/auth/token",
            "auth",
            form={"username": creds.get("username", ""), "password": creds.get("password", "")},
            idempotent=True,  # issuing a token changes nothing
            token_request=True,
        )
        if answer.status >= 400:
            raise BankRejected(f"Credenciais recusadas pelo banco {self.name}", self.code)
        token = need(answer.data, "access_token", *self._n)
        return str(token), float(answer.data.get("expires_in") or 1200)

    def _auth(self, refresh: bool) -> dict[str, str]:
        if refresh:
            self.http.tokens.invalidate(self.code, self._scope())
        token = self.http.tokens.get_or_fetch(self.code, self._fetch_token, self._scope())
        return {"Authorization": f"Bearer {token}"}

    def _check(self, answer: BankAnswer) -> Any:
        if answer.status < 400:
            if answer.data is None:
                raise malformed(*self._n)
            return answer.data
        data = answer.data if isinstance(answer.data, dict) else {}
        code = str(data.get("codigo", ""))
        message = str(data.get("mensagem") or "operação não aceita")
        if code in (PENDING, REFUSED, "AUTORIZACAO_PENDENTE", "NAO_AUTORIZADO"):
            state = "refused" if code in (REFUSED, "NAO_AUTORIZADO") else "pending"
            raise NotAuthorized("Cliente sem autorização de consulta", self.code, state=state)
        if answer.status == 401:
            raise BankRejected(f"Credenciais recusadas pelo banco {self.name}", self.code)
        raise BankRejected(
            f"Banco {self.name} recusou a operação: {message}", self.code, bank_message=message
        )

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
            state=str(need(data, "status", *self._n)),
            link=data.get("link_autorizacao"),
            expires_at=parse_datetime(expires, *self._n) if expires else None,
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
            loan_margin=money(data.get("margem_disponivel", 0), *self._n),
            blocks=tuple(str(b) for b in data.get("bloqueios") or ()),
            bank_reference=str(data.get("id_oferta", "")),
        )

    def _do_simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        if request.product is not Product.CLT:
            raise UnsupportedCapability(
                f"O banco {self.name} não oferece este produto pela integração", self.code
            )
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
            SimulationOption(
                bank=self.code,
                product=Product.CLT,
                term_months=int(need(plan, "prazo_meses", *self._n)),
                installment=money(need(plan, "valor_parcela", *self._n), *self._n),
                monthly_rate=to_decimal(need(plan, "taxa_mensal", *self._n), *self._n),
                cet_annual=to_decimal(plan.get("cet_anual", 0), *self._n),
                gross_amount=money(need(plan, "valor_bruto", *self._n), *self._n),
                net_amount=money(need(plan, "valor_liquido", *self._n), *self._n),
                rate_table=str(plan.get("codigo_tabela", "")),
                bank_data={"id_plano": str(need(plan, "id_plano", *self._n))},
            )
            for plan in need(data, "planos", *self._n)[:5]
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
        expires = data.get("link_expira_em")
        return SubmissionResult(
            bank_proposal_number=str(need(data, "numero_proposta", *self._n)),
            bank_status=str(need(data, "status", *self._n)),
            confirmed=True,
            signing_link=data.get("link_assinatura"),
            signing_link_expires_at=parse_datetime(expires, *self._n) if expires else None,
        )

    def _update(self, row: Any) -> StatusUpdate:
        return StatusUpdate(
            bank=self.code,
            bank_proposal_number=str(need(row, "numero_proposta", *self._n)),
            bank_status=str(need(row, "status", *self._n)),
            occurred_at=parse_datetime(need(row, "atualizado_em", *self._n), *self._n),
            detail=str(row.get("motivo") or ""),
        )

    def _do_fetch_status(
        self, since: datetime | None, proposal_numbers: list[str]
    ) -> list[StatusUpdate]:
        updates: list[StatusUpdate] = []
        if since is not None:
            data = self._check(
                self._call(
                    "GET",
                    "/clt/propostas",
                    Capability.FETCH_STATUS,
                    params={"atualizado_desde": since.isoformat()},
                )
            )
            updates.extend(self._update(row) for row in need(data, "propostas", *self._n))
        for number in proposal_numbers:
            answer = self._call("GET", f"/clt/propostas/{number}", Capability.FETCH_STATUS)
            if answer.status != 404:
                updates.append(self._update(self._check(answer)))
        return sorted(updates, key=lambda u: u.occurred_at)

    def _do_find_by_key(self, key: str) -> SubmissionResult | None:
        answer = self._call("GET", f"/clt/propostas/idempotencia/{key}", Capability.FETCH_STATUS)
        if answer.status == 404:
            return None
        data = self._check(answer)
        expires = data.get("link_expira_em")
        return SubmissionResult(
            bank_proposal_number=str(need(data, "numero_proposta", *self._n)),
            bank_status=str(need(data, "status", *self._n)),
            confirmed=True,
            signing_link=data.get("link_assinatura"),
            signing_link_expires_at=parse_datetime(expires, *self._n) if expires else None,
        )

    def _translate_webhook(self, payload: Any) -> list[StatusUpdate]:
        return [self._update(row) for row in need(payload, "eventos", *self._n)]
