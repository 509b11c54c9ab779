"""Sandbox dialect of C6 Consig CLT (mirrors `portal.banks.adapters.c6`), at ``/c6``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandbox_bank import scenarios
from sandbox_bank.core import (
    Proposal,
    SandboxState,
    guarded,
    iso_arg,
    json_response,
    loan_terms,
    now_utc,
    price,
    read_json,
    status_row,
)

TERMS = (6, 12, 18, 24, 36, 48)


def _error(code: str, message: str, status: int = 422) -> Response:
    return json_response({"codigo": code, "mensagem": message}, status)


def _guard(state: SandboxState, request: Request, cpf: str | None = None) -> Response | None:
    """The Bearer token, then the transport scenario of the CPF (none without one)."""
    problem = state.token_problem("c6", request, cpf)
    return state.gate(cpf) if problem is None else _error("TOKEN_EXPIRADO", problem, 401)


def token(state: SandboxState, request: Request) -> Response:
    form = request.form
    if (
        not form.get("username")
        or not form.get("password")
        or form["password"] == scenarios.WRONG_PASSWORD
    ):
        return _error("CREDENCIAIS_INVALIDAS", "Usuário ou senha inválidos", 401)
    value, lifetime = state.issue_token("c6")
    return json_response({"access_token": value, "token_type": "Bearer", "expires_in": lifetime})


def _authorization(state: SandboxState, cpf: str) -> dict[str, Any]:
    scenario = scenarios.scenario_for(cpf)
    status = {"auth_pending": "AGUARDANDO_AUTORIZACAO", "auth_refused": "NAO_AUTORIZADO"}.get(
        scenario, "AUTORIZADO"
    )
    link = None
    if status == "AGUARDANDO_AUTORIZACAO":
        link = f"{state.config.public_url}/c6/autorizar/{scenarios.only_digits(cpf)[-4:]}"
    return {
        "cpf": cpf,
        "status": status,
        "link_autorizacao": link,
        "expira_em": (now_utc() + timedelta(days=2)).isoformat() if link else None,
    }


def _authorization_answer(
    state: SandboxState, request: Request, cpf: str, status: int = 200
) -> Response:
    refused = _guard(state, request, cpf)
    if refused:
        return refused
    if not scenarios.is_valid_cpf(cpf):
        return _error("CPF_INVALIDO", "CPF inválido")
    return json_response(_authorization(state, cpf), status)


def get_authorization(state: SandboxState, request: Request, cpf: str) -> Response:
    return _authorization_answer(state, request, cpf)


def request_authorization(state: SandboxState, request: Request) -> Response:
    return _authorization_answer(state, request, str(read_json(request).get("cpf", "")), 201)


def _not_authorized(cpf: str) -> Response | None:
    scenario = scenarios.scenario_for(cpf)
    if scenario == "auth_pending":
        return _error("AUTORIZACAO_PENDENTE", "Aguardando autorização do trabalhador", 403)
    if scenario == "auth_refused":
        return _error("NAO_AUTORIZADO", "Trabalhador não autorizou a consulta", 403)
    return None


def offer(state: SandboxState, request: Request, cpf: str) -> Response:
    refused = _guard(state, request, cpf) or _not_authorized(cpf)
    if refused:
        return refused
    scenario = scenarios.scenario_for(cpf)
    margins = scenarios.margins_for(cpf)
    eligible = scenario != "not_eligible"
    blocked = scenario == "blocked"
    return json_response(
        {
            "id_oferta": f"OF{scenarios.only_digits(cpf)[-6:]}",
            "elegivel": eligible,
            "motivo": None if eligible else "Empregador não habilitado no Crédito do Trabalhador",
            "situacao_vinculo": "BLOQUEADO" if blocked else "ATIVO",
            "bloqueios": ["VINCULO EM AVISO PREVIO"] if blocked else [],
            "salario": margins["benefit"],
            "margem_disponivel": margins["loan"] if eligible and not blocked else Decimal("0"),
        }
    )


def simulate(state: SandboxState, request: Request) -> Response:
    body = read_json(request)
    cpf = str(body.get("cpf", ""))
    refused = _guard(state, request, cpf) or _not_authorized(cpf)
    if refused:
        return refused
    if scenarios.scenario_for(cpf) in ("blocked", "not_eligible"):
        return _error("SEM_OFERTA", "Trabalhador sem oferta disponível")
    try:
        term, amount, installment = loan_terms(
            body, ("prazo_meses", "valor_solicitado", "valor_parcela"), _decimal, 48
        )
    except ValueError as exc:
        return _error("PARAMETROS_INVALIDOS", str(exc))
    terms = sorted(set(TERMS) | {term}, key=lambda t: (abs(t - term), t))[:5]
    plans = []
    for plan_term in sorted(terms):
        priced = price("c6", plan_term, amount, installment)
        plan_id = state.remember({"cpf": cpf, "term": plan_term})
        plans.append(
            {
                "id_plano": plan_id,
                "prazo_meses": plan_term,
                "valor_parcela": priced["installment"],
                "taxa_mensal": priced["rate"],
                "cet_anual": priced["cet_annual"],
                "valor_bruto": priced["gross"],
                "valor_liquido": priced["gross"],
                "codigo_tabela": f"CLT-{plan_term:02d}",
            }
        )
    return json_response({"planos": plans})


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def include(state: SandboxState, request: Request) -> Response:
    body = read_json(request)
    cpf = str((body.get("cliente") or {}).get("cpf", ""))
    refused = _guard(state, request, cpf) or _not_authorized(cpf)
    if refused:
        return refused
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        return _error("IDEMPOTENCY_KEY_OBRIGATORIA", "Cabeçalho Idempotency-Key obrigatório", 400)
    plan = state.record(str(body.get("id_plano", "")))
    if plan is None or plan["cpf"] != cpf:
        return _error("PLANO_INVALIDO", "Plano não encontrado para este trabalhador")
    if not scenarios.is_valid_cpf(str(body.get("cpf_correspondente_certificado", ""))):
        return _error("NAO_CERTIFICADO", "CPF do correspondente certificado inválido")
    if scenarios.scenario_for(cpf) == "rejected":
        return _error("REPROVADA", "Proposta reprovada na análise de crédito")
    proposal, created = state.submit("c6", cpf, key, {"plan": plan})
    return json_response(
        {
            "numero_proposta": proposal.number,
            "status": proposal.status,
            **_signing(state, proposal),
        },
        201 if created else 200,
    )


def _signing(state: SandboxState, proposal: Proposal) -> dict[str, str]:
    """The signing link of a proposal, valid for 30 days from its inclusion."""
    created_at = proposal.history[0][1]
    return {
        "link_assinatura": f"{state.config.public_url}/c6/formalizacao/{proposal.number}",
        "link_expira_em": (created_at + timedelta(days=30)).isoformat(),
    }


def row(proposal: Proposal) -> dict[str, Any]:
    """A proposal as C6 reports it (also used in webhooks)."""
    return status_row(proposal, "numero_proposta", "status", "atualizado_em", "motivo")


def _found(
    proposal: Proposal | None, body: Callable[[Proposal], dict[str, Any]] = row
) -> Response:
    if proposal is None:
        return _error("NAO_ENCONTRADA", "Proposta não encontrada", 404)
    return json_response(body(proposal))


@guarded(_guard)
def list_proposals(state: SandboxState, request: Request) -> Response:
    since = iso_arg(request, "atualizado_desde")
    if since is None:
        return _error("PARAMETROS_INVALIDOS", "atualizado_desde inválido")
    return json_response({"propostas": [row(p) for p in state.changed_since("c6", since)]})


@guarded(_guard)
def one_proposal(state: SandboxState, request: Request, number: str) -> Response:
    return _found(state.proposal("c6", number))


@guarded(_guard)
def by_idempotency_key(state: SandboxState, request: Request, key: str) -> Response:
    """Find the proposal included with an ``Idempotency-Key``."""
    return _found(state.by_key("c6", key), lambda p: {**row(p), **_signing(state, p)})


RULES = [
    Rule("/auth/token", methods=["POST"], endpoint=token),
    Rule("/clt/autorizacoes/<cpf>", methods=["GET"], endpoint=get_authorization),
    Rule("/clt/autorizacoes", methods=["POST"], endpoint=request_authorization),
    Rule("/clt/ofertas/<cpf>", methods=["GET"], endpoint=offer),
    Rule("/clt/simulacoes", methods=["POST"], endpoint=simulate),
    Rule("/clt/propostas", methods=["POST"], endpoint=include),
    Rule("/clt/propostas", methods=["GET"], endpoint=list_proposals),
    Rule("/clt/propostas/idempotencia/<key>", methods=["GET"], endpoint=by_idempotency_key),
    Rule("/clt/propostas/<number>", methods=["GET"], endpoint=one_proposal),
]
