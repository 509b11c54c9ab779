"""Sandbox dialect of Facta (mirrors `portal.banks.adapters.facta`), mounted at ``/facta``."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandbox_bank import scenarios
from sandbox_bank.core import (
    Proposal,
    SandboxState,
    guarded,
    json_response,
    price,
    status_row,
)

BRASILIA = ZoneInfo("America/Sao_Paulo")
OPERATIONS = {"13", "14", "003500", "33"}
TABLES = [
    ("53694", "INSS NOVO GOLD", Decimal("1.79")),
    ("53695", "INSS NOVO SMART", Decimal("1.66")),
]


def _br(moment: datetime) -> str:
    return moment.astimezone(BRASILIA).strftime("%d/%m/%Y %H:%M:%S")


def _error(message: str, status: int = 200) -> Response:
    return json_response({"erro": True, "mensagem": message}, status)


def _ok(data: dict[str, Any], message: str = "") -> Response:
    return json_response({"erro": False, "mensagem": message, **data})


def _guard(state: SandboxState, request: Request, cpf: str | None = None) -> Response | None:
    """The Bearer token, then the transport scenario of the CPF (none without one)."""
    problem = state.token_problem("facta", request, cpf)
    return state.gate(cpf) if problem is None else _error(problem, 401)


def token(state: SandboxState, request: Request) -> Response:
    header = request.headers.get("Authorization", "")
    try:
        user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except ValueError:
        user = password = ""
    if (
        not header.startswith("Basic ")
        or not user
        or not password
        or password == scenarios.WRONG_PASSWORD
    ):
        return _error("Usuário ou senha inválidos", 401)
    value, lifetime = state.issue_token("facta")
    expires = datetime.now(BRASILIA) + timedelta(seconds=lifetime)
    return _ok({"token": value, "expira": _br(expires)}, "Token gerado com sucesso")


def margin(state: SandboxState, request: Request) -> Response:
    cpf = request.args.get("cpf", "")
    refused = _guard(state, request, cpf)
    if refused:
        return refused
    scenario = scenarios.scenario_for(cpf)
    if scenario == "invalid_cpf":
        return _error("CPF inválido")
    margins = scenarios.margins_for(cpf)
    situation, blocks = "ATIVO", []
    if scenario == "blocked":
        situation, blocks = "BLOQUEADO", ["BENEFICIO BLOQUEADO PARA EMPRESTIMO (MEU INSS)"]
    elif scenario == "not_eligible":
        situation, blocks = "NAO ELEGIVEL", ["ESPECIE NAO CONSIGNAVEL"]
    available = situation == "ATIVO"
    zero = Decimal("0.00")
    return _ok(
        {
            "margem": {
                "situacao": situation,
                "valor_margem_disponivel": margins["loan"] if available else zero,
                "valor_margem_rmc": margins["rmc"] if available else zero,
                "valor_margem_rcc": margins["rcc"] if available else zero,
                "bloqueios": blocks,
                "protocolo": f"FCT{cpf[-4:]}{len(state.records):05d}",
            },
        }
    )


def operations(state: SandboxState, request: Request) -> Response:
    args = request.args
    cpf = args.get("cpf", "")
    refused = _guard(state, request, cpf)
    if refused:
        return refused
    scenario = scenarios.scenario_for(cpf)
    if scenario == "blocked":
        return _error("Benefício bloqueado para empréstimo")
    if scenario == "not_eligible":
        return _error("Benefício não elegível para consignado")
    if args.get("tipo_operacao") not in OPERATIONS:
        return _error("Tipo de operação inválido")
    try:
        term = int(args.get("prazo", "0"))
        value = Decimal(args.get("valor", "0"))
    except (ValueError, InvalidOperation):
        return _error("Parâmetros inválidos")
    if term <= 0 or term > 84 or value <= 0:
        return _error("Prazo ou valor fora dos limites")
    by_amount = args.get("opcao_valor", "1") == "1"
    tables = []
    for code, name, rate in TABLES:
        priced = price(
            "facta", term, value if by_amount else None, None if by_amount else value, rate
        )
        net = priced["gross"] if args["tipo_operacao"] == "13" else priced["gross"] * Decimal("0.6")
        tables.append(
            {
                "tabela": name,
                "codigoTabela": code,
                "taxa": priced["rate"],
                "prazo": term,
                "parcela": priced["installment"],
                "contrato": priced["gross"],
                "valor_liquido": net.quantize(Decimal("0.01")),
                "coeficiente": str(priced["factor"]),
                "taxa_cet_anual": priced["cet_annual"],
            }
        )
    return _ok({"tabelas": tables})


def step1(state: SandboxState, request: Request) -> Response:
    form = request.form
    cpf = form.get("cpf", "")
    refused = _guard(state, request, cpf)
    if refused:
        return refused
    if not form.get("login_certificado"):
        return _error("Login do agente certificado obrigatório")
    if not scenarios.is_valid_cpf(cpf):
        return _error("CPF inválido")
    record_id = state.remember({"cpf": cpf, "step1": dict(form)})
    return _ok({"id_simulador": record_id})


def step2(state: SandboxState, request: Request) -> Response:
    form = request.form
    record = state.record(form.get("id_simulador", ""))
    cpf = form.get("cpf", "")
    refused = _guard(state, request, cpf)
    if refused:
        return refused
    if record is None or record["cpf"] != cpf:
        return _error("Simulação não encontrada")
    if not form.get("nome"):
        return _error("Nome do cliente obrigatório")
    client_id = state.remember({"cpf": cpf, "step2": dict(form)})
    return _ok({"codigo_cliente": client_id})


def step3(state: SandboxState, request: Request) -> Response:
    form = request.form
    record = state.record(form.get("id_simulador", ""))
    client = state.record(form.get("codigo_cliente", ""))
    cpf = record["cpf"] if record else None
    refused = _guard(state, request, cpf)
    if refused:
        return refused
    if record is None or client is None:
        return _error("Simulação ou cliente não encontrado")
    if scenarios.scenario_for(cpf) == "rejected":
        return _error("Proposta recusada: cliente com restrição cadastral")
    proposal, _ = state.submit("facta", cpf, form.get("id_externo"), dict(form))  # type: ignore[arg-type]
    return _ok(_contract(state, proposal), "Proposta cadastrada com sucesso")


def _contract(state: SandboxState, proposal: Proposal) -> dict[str, Any]:
    """A registered contract with its signing link."""
    return {
        "codigo": proposal.number,
        "status": proposal.status,
        "url_formalizacao": f"{state.config.public_url}/facta/formalizacao/{proposal.number}",
    }


@guarded(_guard)
def progress(state: SandboxState, request: Request) -> Response:
    try:
        start = datetime.strptime(request.args.get("data_ini", ""), "%d/%m/%Y")
        end = datetime.strptime(request.args.get("data_fim", ""), "%d/%m/%Y")
    except ValueError:
        return _error("Período inválido")
    start = start.replace(tzinfo=BRASILIA)
    end = end.replace(tzinfo=BRASILIA) + timedelta(days=1)
    rows = [
        status_row(p, "codigo_af", "status_proposta", "data_movimento", "descricao", when=_br)
        for p in state.changed_since("facta", start)
        if p.updated_at < end
    ]
    return _ok({"propostas": rows})


@guarded(_guard)
def occurrences(state: SandboxState, request: Request) -> Response:
    proposal = state.proposal("facta", request.args.get("codigo_af", ""))
    if proposal is None:
        return _error("Nenhuma ocorrência encontrada")
    rows = [
        {"item": i, "status": status, "data": _br(at), "obs": detail}
        for i, (status, at, detail) in enumerate(list(proposal.history), start=1)
    ]
    return _ok({"ocorrencias": rows})


@guarded(_guard)
def by_external_id(state: SandboxState, request: Request) -> Response:
    """Find the proposal registered with an ``id_externo`` (reconciliation after a timeout)."""
    proposal = state.by_key("facta", request.args.get("id_externo", ""))
    if proposal is None:
        return _error("Proposta não encontrada")
    return _ok(_contract(state, proposal))


RULES = [
    Rule("/gera-token", methods=["GET"], endpoint=token),
    Rule("/proposta/consulta-margem", methods=["GET"], endpoint=margin),
    Rule("/proposta/operacoes-disponiveis", methods=["GET"], endpoint=operations),
    Rule("/proposta/etapa1-simulador", methods=["POST"], endpoint=step1),
    Rule("/proposta/etapa2-dados-pessoais", methods=["POST"], endpoint=step2),
    Rule("/proposta/etapa3-proposta-cadastro", methods=["POST"], endpoint=step3),
    Rule("/proposta/andamento-propostas", methods=["GET"], endpoint=progress),
    Rule("/proposta/consulta-ocorrencias", methods=["GET"], endpoint=occurrences),
    Rule("/proposta/consulta-id-externo", methods=["GET"], endpoint=by_external_id),
]
