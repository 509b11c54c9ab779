"""Margin lookups and simulations for a client, as the sales pages run them.

Each operation has three phases so no database connection is held while a bank thinks:
`plan_*` reads and checks (consent, bank, regulatory rules) inside the request's
transaction; the caller ends that transaction and runs the plan (`calls`, concurrently for
several banks); `record_*` writes the outcome: the client's timeline and an audit entry
(bank, outcome, latency; never a CPF), and for simulations the stored options.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks import calls, rules
from portal.banks.call_log import record_call
from portal.banks.calls import CallOutcome
from portal.banks.models import Bank, BankSimulation
from portal.banks.registry import build_connector
from portal.banks.service import get_bank, settings_for
from portal.banks.state import StateStore
from portal.banks.types import (
    BenefitQueryRequest,
    Capability,
    OperatorCredentials,
    Product,
    SimulationOption,
    SimulationRequest,
)
from portal.clients.consents import require_consent
from portal.clients.models import BenefitLink, Client, ConsentPurpose
from portal.clients.timeline import add_timeline_event
from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound
from portal.core.money import format_brl
from portal.people.models import Collaborator
from portal.people.operator_codes import operator_code_for

# Agreements each bank's integration serves (C6's is the CLT payroll loan).
BANK_AGREEMENTS: dict[str, tuple[str, ...]] = {"c6": ("CLT",)}
DEFAULT_AGREEMENTS = ("INSS", "SIAPE")
PRODUCT_LABELS = {
    Product.NEW: "Empréstimo novo",
    Product.REFIN: "Refinanciamento",
    Product.PORTABILITY: "Portabilidade",
    Product.CARD: "Cartão consignado (RMC)",
    Product.CLT: "Crédito do Trabalhador (CLT)",
    Product.FGTS: "Antecipação FGTS",
}


@dataclass(frozen=True)
class Plan:
    """A bank call ready to run outside the transaction: `run()` never raises BankError."""

    bank_code: str
    bank_name: str
    run: Callable[[], CallOutcome]


def banks_with(session: Session, capability: Capability) -> list[Bank]:
    """Enabled banks offering `capability`, by name."""
    banks = session.scalars(select(Bank).where(Bank.enabled.is_(True)).order_by(Bank.name, Bank.id))
    return [bank for bank in banks if bank.has(capability)]


def operator_for(
    session: Session, collaborator: Collaborator | None, bank_code: str
) -> OperatorCredentials | None:
    """The collaborator's own access at the bank (operator code, secret, certified CPF)."""
    if collaborator is None:
        return None
    code = operator_code_for(session, collaborator.id, bank_code)
    if code is None:
        return None
    return OperatorCredentials(
        login=code.operator_code,
        certified_cpf=collaborator.cpf,
        password=code.secret,
        code=code.operator_code,
    )


def link_for(
    session: Session, client: Client, bank_code: str, link_id: int | None = None
) -> BenefitLink | None:
    """The benefit/employment link to use at this bank: the chosen one, else the first whose
    agreement the bank serves, else the first one."""
    links = list(
        session.scalars(
            select(BenefitLink).where(BenefitLink.client_id == client.id).order_by(BenefitLink.id)
        )
    )
    if link_id is not None:
        chosen = next((link for link in links if link.id == link_id), None)
        if chosen is None:
            raise NotFound("Vínculo não encontrado.")
        return chosen
    wanted = BANK_AGREEMENTS.get(bank_code, DEFAULT_AGREEMENTS)
    return next((link for link in links if link.agreement.upper() in wanted), links[0] if links else None)


def _agreement(bank_code: str, link: BenefitLink | None) -> str:
    if link is not None:
        return link.agreement.upper()
    return BANK_AGREEMENTS.get(bank_code, DEFAULT_AGREEMENTS)[0]


def _refusal(bank: Bank | None, bank_code: str, outcome: str, message: str) -> CallOutcome:
    return CallOutcome(bank_code, bank.name if bank else bank_code, outcome, message)


def plan_margin_lookup(
    session: Session,
    client: Client,
    bank_code: str,
    store: StateStore,
    collaborator: Collaborator | None,
) -> Plan | CallOutcome:
    """Check everything that does not need the bank; a CallOutcome when the lookup is refused."""
    try:
        bank = get_bank(session, bank_code)
    except NotFound:
        return _refusal(None, bank_code, "unsupported", "Banco não encontrado")
    if not bank.has(Capability.BENEFIT_QUERY):
        return _refusal(
            bank, bank_code, "unsupported", f"O banco {bank.name} não oferece consulta de margem pelo Athenas"
        )
    try:
        require_consent(session, client, ConsentPurpose.BENEFIT_QUERY)
    except DomainError as error:
        return _refusal(bank, bank_code, "not_authorized", error.message)
    if not client.cpf:
        return _refusal(bank, bank_code, "error", "Cliente sem CPF cadastrado")
    link = link_for(session, client, bank_code)
    request = BenefitQueryRequest(
        cpf=client.cpf,
        agreement=_agreement(bank_code, link),
        benefit_number=link.benefit_number if link else None,
    )
    connector = build_connector(settings_for(bank), store, operator_for(session, collaborator, bank_code))
    return Plan(bank.code, bank.name, lambda: calls.margin_lookup(connector, request))


def _lookup_summary(outcome: CallOutcome) -> str:
    where = f"Consulta de margem no banco {outcome.bank_name}"
    if outcome.ok and outcome.margin is not None:
        return f"{where}: margem livre {format_brl(outcome.margin.loan_margin)}."
    return f"{where}: {calls.OUTCOMES.get(outcome.outcome, outcome.outcome).lower()}."


def record_lookup(session: Session, actor: Actor, client: Client, outcome: CallOutcome) -> None:
    """Timeline event and audit entry of one lookup (no personal data, no bank payload)."""
    add_timeline_event(session, client, "bank.lookup", _lookup_summary(outcome), actor)
    audit.record(
        session,
        actor,
        "bank.lookup",
        f"client:{client.id}",
        {"bank": outcome.bank_code, "outcome": outcome.outcome, "latency_ms": outcome.latency_ms},
    )
    record_call(session, outcome.bank_code, "lookup", outcome.outcome, outcome.latency_ms)


# ---------------------------------------------------------------- simulations


@dataclass(frozen=True)
class SimulationInput:
    """What the agent typed in the simulation form."""

    product: Product
    term_months: int
    benefit_link_id: int | None = None
    requested_amount: Decimal | None = None
    installment: Decimal | None = None
    benefit_granted_on: date | None = None
    banks: tuple[str, ...] = ()


def _check_input(data: SimulationInput) -> None:
    if (data.requested_amount is None) == (data.installment is None):
        raise DomainError(
            "Informe o valor desejado ou o valor da parcela (apenas um deles).", field="requested_amount"
        )
    for name in ("requested_amount", "installment"):
        value = getattr(data, name)
        if value is not None and value <= 0:
            raise DomainError("Informe um valor maior que zero.", field=name)
    if not 1 <= data.term_months <= 420:
        raise DomainError("Prazo inválido.", field="term_months")


def plan_simulation(
    session: Session,
    client: Client,
    data: SimulationInput,
    store: StateStore,
    collaborator: Collaborator | None,
    on: date,
) -> tuple[str, list[Plan], list[CallOutcome]]:
    """Regulatory checks (DomainError before any bank is called), then one plan per bank.

    Returns the agreement, the plans to run and the banks refused up front.
    """
    _check_input(data)
    require_consent(session, client, ConsentPurpose.BENEFIT_QUERY)
    if not client.cpf:
        raise DomainError("Cliente sem CPF cadastrado.")
    link = link_for(session, client, "", data.benefit_link_id) if data.benefit_link_id else None
    if link is None:
        link = link_for(session, client, "c6" if data.product is Product.CLT else "")
    agreement = "CLT" if data.product is Product.CLT else _agreement("", link)
    rules.check_simulation(
        session,
        agreement=agreement,
        product=data.product,
        term_months=data.term_months,
        on=on,
        installment=data.installment,
        benefit_amount=link.monthly_income if link is not None else None,
        benefit_granted_on=data.benefit_granted_on,
    )
    chosen = set(data.banks)
    plans: list[Plan] = []
    refused: list[CallOutcome] = []
    for bank in banks_with(session, Capability.SIMULATE):
        if chosen and bank.code not in chosen:
            continue
        request = SimulationRequest(
            product=data.product,
            agreement=agreement,
            cpf=client.cpf,
            term_months=data.term_months,
            requested_amount=data.requested_amount,
            installment=data.installment,
            benefit_number=link.benefit_number if link else None,
            birth_date=client.birth_date,
        )
        connector = build_connector(settings_for(bank), store, operator_for(session, collaborator, bank.code))
        plans.append(Plan(bank.code, bank.name, lambda c=connector, r=request: calls.simulation(c, r)))  # type: ignore[misc]
    if not plans and not refused:
        raise DomainError("Nenhum banco com simulação habilitada para esta escolha.")
    return agreement, plans, refused


def option_to_json(option: SimulationOption, problem: str | None) -> dict[str, Any]:
    return {
        "bank": option.bank,
        "product": option.product.value,
        "term_months": option.term_months,
        "installment": str(option.installment),
        "monthly_rate": str(option.monthly_rate),
        "cet_annual": str(option.cet_annual),
        "gross_amount": str(option.gross_amount),
        "net_amount": str(option.net_amount),
        "rate_table": option.rate_table,
        "bank_data": dict(option.bank_data),
        "blocked_reason": problem,
    }


def option_from_json(data: dict[str, Any]) -> SimulationOption:
    return SimulationOption(
        bank=data["bank"],
        product=Product(data["product"]),
        term_months=int(data["term_months"]),
        installment=Decimal(data["installment"]),
        monthly_rate=Decimal(data["monthly_rate"]),
        cet_annual=Decimal(data["cet_annual"]),
        gross_amount=Decimal(data["gross_amount"]),
        net_amount=Decimal(data["net_amount"]),
        rate_table=data["rate_table"],
        bank_data=dict(data.get("bank_data") or {}),
    )


def record_simulation(
    session: Session,
    actor: Actor,
    client: Client,
    data: SimulationInput,
    agreement: str,
    outcomes: list[CallOutcome],
    on: date,
    created_by_id: int | None,
) -> BankSimulation:
    """Store the simulation (options with bank data, rate caps applied), timeline, audit."""
    options: list[dict[str, Any]] = []
    for outcome in outcomes:
        for option in outcome.options:
            problem = rules.rate_problem(
                session, agreement=agreement, product=option.product, monthly_rate=option.monthly_rate, on=on
            )
            options.append(option_to_json(option, problem))
    simulation = BankSimulation(
        client_id=client.id,
        benefit_link_id=data.benefit_link_id,
        created_by_id=created_by_id,
        product=data.product.value,
        agreement=agreement,
        term_months=data.term_months,
        requested_amount=data.requested_amount,
        installment=data.installment,
        idempotency_key=secrets.token_hex(16),
        options=options,
        outcomes=[
            {
                "bank": o.bank_code,
                "bank_name": o.bank_name,
                "outcome": o.outcome,
                "message": o.message,
                "latency_ms": o.latency_ms,
            }
            for o in outcomes
        ],
    )
    session.add(simulation)
    for o in outcomes:
        record_call(session, o.bank_code, "simulation", o.outcome, o.latency_ms)
    session.flush()
    answered = sum(1 for o in outcomes if o.ok)
    label = PRODUCT_LABELS.get(data.product, data.product.value)
    add_timeline_event(
        session,
        client,
        "bank.simulation",
        f"Simulação de {label} ({data.term_months} meses): {len(options)} oferta(s) de {answered} banco(s).",
        actor,
    )
    audit.record(
        session,
        actor,
        "bank.simulation",
        f"client:{client.id}",
        {
            "simulation_id": simulation.id,
            "product": data.product.value,
            "banks": {o.bank_code: o.outcome for o in outcomes},
        },
    )
    return simulation


def get_simulation(session: Session, client: Client, simulation_id: int) -> BankSimulation:
    simulation = session.get(BankSimulation, simulation_id)
    if simulation is None or simulation.client_id != client.id:
        raise NotFound("Simulação não encontrada.")
    return simulation
