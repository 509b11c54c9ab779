"""Sandbox dialect of Banco Master (mirrors `portal.banks.adapters.master`), at ``/master``.

Only what a bank in liquidation still does: authentication, margin lookups and status of
existing proposals (seed them with ``POST /_sandbox/proposals {"bank": "master", "cpf": ...}``).
"""

from __future__ import annotations

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
    read_json,
    status_row,
)


def _error(message: str, status: int = 422) -> Response:
    return json_response({"status": "ERRO", "detalhe": message}, status)


def _ok(result: Any) -> Response:
    return json_response({"status": "OK", "resultado": result})


def _guard(state: SandboxState, request: Request, cpf: str | None = None) -> Response | None:
    """The Bearer token, then the transport scenario of the CPF (none without one)."""
    problem = state.token_problem("master", request, cpf)
    return state.gate(cpf) if problem is None else _error(problem, 401)


def token(state: SandboxState, request: Request) -> Response:
    body = read_json(request)
    user = scenarios.only_digits(str(body.get("usuario", "")))
    if len(user) != 14 or not body.get("senha") or body["senha"] == scenarios.WRONG_PASSWORD:
        return _error("Usuário (CNPJ) ou senha inválidos", 401)
    value, lifetime = state.issue_token("master")
    return json_response({"token": value, "expiraEmSegundos": lifetime})


def margin(state: SandboxState, request: Request) -> Response:
    cpf = str(read_json(request).get("cpfCliente", ""))
    refused = _guard(state, request, cpf)
    if refused:
        return refused
    scenario = scenarios.scenario_for(cpf)
    if scenario == "invalid_cpf":
        return _error("CPF inválido")
    margins = scenarios.margins_for(cpf)
    situation = {"blocked": "BLOQUEADO", "not_eligible": "INELEGIVEL"}.get(scenario, "ATIVO")
    active = situation == "ATIVO"
    restrictions = [] if active else [f"BENEFICIO {situation}"]
    return _ok(
        {
            "situacao": situation,
            "margemLivre": str(margins["loan"]) if active else "0.00",
            "margemCartao": str(margins["rmc"]) if active else "0.00",
            "margemBeneficio": str(margins["rcc"]) if active else "0.00",
            "restricoes": restrictions,
            "idConsulta": f"BM-{len(state.records):06d}",
        }
    )


def row(proposal: Proposal) -> dict[str, Any]:
    """A proposal as Master reports it (also the webhook item)."""
    return status_row(proposal, "numeroProposta", "situacao", "dataSituacao", "detalhe")


@guarded(_guard)
def list_proposals(state: SandboxState, request: Request) -> Response:
    since = iso_arg(request, "alteradasDesde")
    if since is None:
        return _error("alteradasDesde inválido")
    return _ok([row(p) for p in state.changed_since("master", since)])


@guarded(_guard)
def one_proposal(state: SandboxState, request: Request, number: str) -> Response:
    proposal = state.proposal("master", number)
    if proposal is None:
        return _error("Proposta não encontrada", 404)
    return _ok([row(proposal)])


RULES = [
    Rule("/api/v1/autenticacao", methods=["POST"], endpoint=token),
    Rule("/api/v1/consignado/margens", methods=["POST"], endpoint=margin),
    Rule("/api/v1/consignado/propostas", methods=["GET"], endpoint=list_proposals),
    Rule("/api/v1/consignado/propostas/<number>", methods=["GET"], endpoint=one_proposal),
]
