"""Sandbox dialect of C6 Consig CLT (mirrors `portal.banks.adapters.c6`), at ``/c6``."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from portal.banks.sandbox import scenarios
from portal.banks.sandbox.core import (
    Proposal,
    SandboxState,
    json_response,
    now_utc,
    price,
    read_json,
)

TERMS = (6, 12, 18, 24, 36, 48)


def _error(code: str, message: str, status: int = 422) -> Response:
    return json_response({"codigo": code, "mensagem": message}, status)


def _auth(state: SandboxState, request: Request, cpf: str | None = None) -> Response | None:
    problem = state.token_problem("c6", request, cpf)
    return None if problem is None else _error("TOKEN_EXPIRADO", problem, 401)


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


def get_authorization(state: SandboxState, request: Request, cpf: str) -> Response:
    refused = _auth(state, request, cpf) or state.gate(cpf)
    if refused:
        return refused
    if not scenarios.is_valid_cpf(cpf):
        return _error("CPF_INVALIDO", "CPF inválido")
    return json_response(_authorization(state, cpf))


def request_authorization(state: SandboxState, request: Request) -> Response:
    cpf = str(read_json(request).get("cpf", ""))
    refused = _auth(state, request, cpf) or state.gate(cpf)
    if refused:
        return refused
    if not scenarios.is_valid_cpf(cpf):
        return _error("CPF_INVALIDO", "CPF inválido")
    return json_response(_authorization(state, cpf), 201)


def _not_authorized(cpf: str) -> Response | None:
    scenario = scenarios.scenario_for(cpf)
    if scenario == "auth_pending":
        return _error("AUTORIZACAO_PENDENTE", "Aguardando autorização do trabalhador", 403)
    if scenario == "auth_refused":
        return _error("NAO_AUTORIZADO", "Trabalhador não autorizou a consulta", 403)
    return None


def offer(state: SandboxState, request: Request, cpf: str) -> Response:
    refused = _auth(state, request, cpf) or state.gate(cpf) or _not_authorized(cpf)
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
    refused = _auth(state, request, cpf) or state.gate(cpf) or _not_authorized(cpf)
    if refused:
        return refused
    if scenarios.scenario_for(cpf) in ("blocked", "not_eligible"):
        return _error("SEM_OFERTA", "Trabalhador sem oferta disponível")
    try:
        term = int(body.get("prazo_meses", 0))
        amount = Decimal(str(body["valor_solicitado"])) if "valor_solicitado" in body else None
        installment = Decimal(str(body["valor_parcela"])) if "valor_parcela" in body else None
    except (ValueError, InvalidOperation):
        return _error("PARAMETROS_INVALIDOS", "Valores inválidos")
    if not 0 < term <= 48 or (amount is None) == (installment is None):
        return _error("PARAMETROS_INVALIDOS", "Informe prazo e valor ou parcela")
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


def include(state: SandboxState, request: Request) -> Response:
    body = read_json(request)
    cpf = str((body.get("cliente") or {}).get("cpf", ""))
    refused = _auth(state, request, cpf) or state.gate(cpf) or _not_authorized(cpf)
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
    proposal, created = state.create_proposal("c6", cpf, key, {"plan": plan})
    if scenarios.scenario_for(cpf) == "accepted_then_timeout":
        state.wait(state.config.timeout_delay_s)
    created_at = proposal.history[0][1]
    return json_response(
        {
            "numero_proposta": proposal.number,
            "status": proposal.status,
            "link_assinatura": f"{state.config.public_url}/c6/formalizacao/{proposal.number}",
            "link_expira_em": (created_at + timedelta(days=30)).isoformat(),
        },
        201 if created else 200,
    )


def row(proposal: Proposal) -> dict[str, Any]:
    """A proposal as C6 reports it (also used in webhooks)."""
    return {
        "numero_proposta": proposal.number,
        "status": proposal.status,
        "atualizado_em": proposal.updated_at.isoformat(),
        "motivo": proposal.history[-1][2],
    }


def list_proposals(state: SandboxState, request: Request) -> Response:
    refused = _auth(state, request)
    if refused:
        return refused
    try:
        since = datetime.fromisoformat(request.args.get("atualizado_desde", ""))
    except ValueError:
        return _error("PARAMETROS_INVALIDOS", "atualizado_desde inválido")
    return json_response({"propostas": [row(p) for p in state.changed_since("c6", since)]})


def one_proposal(state: SandboxState, request: Request, number: str) -> Response:
    refused = _auth(state, request)
    if refused:
        return refused
    proposal = state.proposal("c6", number)
    if proposal is None:
        return _error("NAO_ENCONTRADA", "Proposta não encontrada", 404)
    return json_response(row(proposal))


def by_idempotency_key(state: SandboxState, request: Request, key: str) -> Response:
    """Find the proposal included with an ``Idempotency-Key``."""
    refused = _auth(state, request)
    if refused:
        return refused
    proposal = state.by_key("c6", key)
    if proposal is None:
        return _error("NAO_ENCONTRADA", "Proposta não encontrada", 404)
    created_at = proposal.history[0][1]
    return json_response(
        {
            **row(proposal),
            "link_assinatura": f"{state.config.public_url}/c6/formalizacao/{proposal.number}",
            "link_expira_em": (created_at + timedelta(days=30)).isoformat(),
        }
    )


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
