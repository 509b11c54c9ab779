"""Sandbox dialect of Daycoval (mirrors `portal.banks.adapters.daycoval`), at ``/daycoval``."""

from __future__ import annotations

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
    price,
    read_json,
    status_row,
)

SECTIONS = ("margem", "refin", "port", "refinport", "fgts")
NET_SHARE = {"margem": "1", "refin": "0.55", "port": "0.15", "refinport": "0.35", "fgts": "0.9"}


def br(value: Decimal) -> str:
    """``Decimal("1234.5")`` -> ``"1.234,50"``."""
    text = f"{value.quantize(Decimal('0.01')):,.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def from_br(text: Any) -> Decimal:
    return Decimal(str(text).replace(".", "").replace(",", "."))


def _errors(code: str, message: str, status: int = 422) -> Response:
    return json_response(
        {"sucesso": False, "erros": [{"codigo": code, "mensagem": message}]}, status
    )


def _ok(data: Any, status: int = 200) -> Response:
    return json_response({"sucesso": True, "dados": data}, status)


def _headers_problem(state: SandboxState, request: Request) -> Response | None:
    """The company apikey and the collaborator's Login-Usuario, on every call."""
    apikey = request.headers.get("apikey", "")
    if not apikey or apikey == scenarios.WRONG_PASSWORD:
        return _errors("APIKEY_INVALIDA", "apikey inválida ou ausente", 401)
    if not request.headers.get("Login-Usuario"):
        return _errors("LOGIN_OBRIGATORIO", "Cabeçalho Login-Usuario obrigatório", 400)
    return None


def _common(state: SandboxState, request: Request, cpf: str | None) -> Response | None:
    refused = _headers_problem(state, request) or state.gate(cpf)
    if refused:
        return refused
    scenario = scenarios.scenario_for(cpf)
    if scenario == "invalid_cpf":
        return _errors("CPF_INVALIDO", "CPF inválido")
    if scenario == "auth_refused":
        return _errors("SEM_AUTORIZACAO", "Termo de autorização de consulta não assinado", 403)
    return None


def margin(state: SandboxState, request: Request) -> Response:
    body = read_json(request)
    cpf = str(body.get("cpf", ""))
    refused = _common(state, request, cpf)
    if refused:
        return refused
    scenario = scenarios.scenario_for(cpf)
    margins = scenarios.margins_for(cpf)
    situation, blocks = "ATIVO", []
    if scenario == "blocked":
        situation = "BLOQUEADO"
        blocks = [{"codigo": "BLQ-INSS", "descricao": "Benefício bloqueado para consignado"}]
    elif scenario == "not_eligible":
        situation = "NAO_ELEGIVEL"
        blocks = [{"codigo": "ESP-NC", "descricao": "Espécie de benefício não consignável"}]
    active = situation == "ATIVO"
    return _ok(
        {
            "situacaoBeneficio": situation,
            "margemDisponivel": br(margins["loan"]) if active else "0,00",
            "margemRmc": br(margins["rmc"]) if active else "0,00",
            "margemRcc": br(margins["rcc"]) if active else "0,00",
            "bloqueios": blocks,
            "protocolo": f"DAY-{len(state.records):06d}",
        }
    )


def simulate(state: SandboxState, request: Request, section: str) -> Response:
    body = read_json(request)
    cpf = str(body.get("cpf", ""))
    refused = _common(state, request, cpf)
    if refused:
        return refused
    if scenarios.scenario_for(cpf) in ("blocked", "not_eligible"):
        return _errors("BENEFICIO_INAPTO", "Benefício bloqueado ou não elegível")
    try:
        term, amount, installment = loan_terms(
            body, ("prazo", "valorSolicitado", "valorParcela"), from_br, 96
        )
    except ValueError as exc:
        return _errors("PARAMETROS_INVALIDOS", str(exc))
    rows = []
    for suffix, rate in (("A", Decimal("1.76")), ("B", Decimal("1.69"))):
        priced = price("daycoval", term, amount, installment, rate)
        net = (priced["gross"] * Decimal(NET_SHARE[section])).quantize(Decimal("0.01"))
        table = f"DAY-{section.upper()}-{term}{suffix}"
        sim_id = state.remember({"cpf": cpf, "section": section, "table": table})
        rows.append(
            {
                "idSimulacao": sim_id,
                "prazo": term,
                "valorParcela": br(priced["installment"]),
                "taxaJurosMensal": br(priced["rate"]),
                "cetAnual": br(priced["cet_annual"]),
                "valorBruto": br(priced["gross"]),
                "valorLiquido": br(net),
                "codigoTabela": table,
            }
        )
    return _ok({"simulacoes": rows})


def submit(state: SandboxState, request: Request, section: str) -> Response:
    body = read_json(request)
    client = body.get("cliente") or {}
    cpf = str(client.get("cpf", ""))
    refused = _common(state, request, cpf)
    if refused:
        return refused
    record = state.record(str(body.get("idSimulacao", "")))
    if record is None or record["cpf"] != cpf or record["section"] != section:
        return _errors("SIMULACAO_INVALIDA", "Simulação não encontrada para este cliente")
    if not scenarios.is_valid_cpf(str(body.get("cpfAgenteCertificado", ""))):
        return _errors("AGENTE_NAO_CERTIFICADO", "CPF do agente certificado inválido")
    if scenarios.scenario_for(cpf) == "rejected":
        return _errors("POLITICA_CREDITO", "Proposta reprovada pela política de crédito")
    key = str(body.get("identificadorExterno") or "")
    proposal, created = state.submit("daycoval", cpf, key, {"section": section})
    return _ok(
        {
            "numeroProposta": proposal.number,
            "situacao": proposal.status,
            "formalizacao": {"canal": "SMS", "telefoneMascarado": "(**) *****-" + cpf[-4:]},
        },
        201 if created else 200,
    )


def row(proposal: Proposal) -> dict[str, Any]:
    """A proposal as Daycoval reports it (also the webhook body)."""
    return status_row(proposal, "numeroProposta", "situacao", "dataHoraSituacao", "observacao")


def _found(proposal: Proposal | None) -> Response:
    if proposal is None:
        return _errors("NAO_ENCONTRADA", "Proposta não encontrada", 404)
    return _ok(row(proposal))


@guarded(_headers_problem)
def follow_up(state: SandboxState, request: Request) -> Response:
    since = iso_arg(request, "dataAlteracaoInicio")
    if since is None:
        return _errors("PARAMETROS_INVALIDOS", "dataAlteracaoInicio inválida")
    return _ok({"propostas": [row(p) for p in state.changed_since("daycoval", since)]})


@guarded(_headers_problem)
def situation(state: SandboxState, request: Request, number: str) -> Response:
    return _found(state.proposal("daycoval", number))


@guarded(_headers_problem)
def by_identifier(state: SandboxState, request: Request, key: str) -> Response:
    """Find the proposal registered with an ``identificadorExterno``."""
    return _found(state.by_key("daycoval", key))


RULES = [
    Rule("/margem/consulta", methods=["POST"], endpoint=margin),
    Rule(f"/<any({', '.join(SECTIONS)}):section>/simulacao", methods=["POST"], endpoint=simulate),
    Rule(f"/<any({', '.join(SECTIONS)}):section>/proposta", methods=["POST"], endpoint=submit),
    Rule("/proposta/acompanhamento", methods=["GET"], endpoint=follow_up),
    Rule("/proposta/<number>/situacao", methods=["GET"], endpoint=situation),
    Rule("/proposta/identificador/<key>", methods=["GET"], endpoint=by_identifier),
]
