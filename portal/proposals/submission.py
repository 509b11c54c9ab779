"""Submitting (digitar) a simulated option to its bank, without ever losing or doubling it.

Two phases around the bank call:
1. `start_submission` checks the agent (certified, has an operator code at the bank), the
   client (authorisation, data the bank needs) and the option (rate cap), then writes the
   proposal in "simulated" with the simulation's idempotency key. The caller commits this
   before calling the bank, so a crash or a timeout never loses what the agent chose.
2. `finish_submission` records what happened: "submitted" with the bank's number and
   signing link; "submission unconfirmed" when the bank may have registered it (answer
   lost), resolved later by the status sync; kept in "simulated" (retry allowed) when the
   bank was unreachable; "cancelled" with the bank's reason when it refused.

A second click, a retry or a concurrent request with the same simulation finds the same
proposal (unique idempotency key) and never calls the bank twice at the same time; the bank
also deduplicates by the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.banks import lookups, rules
from portal.banks.call_log import record_call
from portal.banks.errors import BankError, BankRejected, BankTimeout, MalformedResponse, NotAuthorized
from portal.banks.models import BankSimulation
from portal.banks.registry import build_connector
from portal.banks.service import get_bank, settings_for
from portal.banks.state import StateStore
from portal.banks.types import (
    Address,
    Capability,
    ClientData,
    PayoutAccount,
    SubmissionRequest,
    SubmissionResult,
)
from portal.clients.consents import require_consent
from portal.clients.models import BenefitLink, Client, ConsentPurpose
from portal.clients.timeline import add_timeline_event
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.people.certifications import can_submit_proposals
from portal.people.models import Collaborator
from portal.proposals.mapping import apply_bank_status
from portal.proposals.models import EventSource, Origin, Proposal
from portal.proposals.services import NewProposal, change_status, create_proposal, find_by_idempotency_key
from portal.proposals.statuses import Status

ATTEMPT_KEY = "attempt_started_at"


@dataclass(frozen=True)
class SubmissionPlan:
    """A proposal and, when the bank must be called now, the call (None: nothing to do)."""

    proposal: Proposal
    call: Callable[[], SubmissionResult] | None
    message: str | None = None


def _split_account(raw: str) -> tuple[str, str]:
    account, _, digit = raw.replace(" ", "").partition("-")
    return account, digit


def client_data(client: Client, link: BenefitLink | None) -> tuple[ClientData, PayoutAccount]:
    """What the bank needs about the client, or a DomainError naming what is missing."""
    missing = []
    if not client.cpf:
        missing.append("CPF")
    if client.birth_date is None:
        missing.append("data de nascimento")
    if link is None or not (link.payout_bank and link.payout_agency and link.payout_account):
        missing.append("conta para liberação (banco, agência e conta no vínculo)")
    if missing:
        raise DomainError("Complete o cadastro do cliente antes de digitar: " + ", ".join(missing) + ".")
    assert link is not None and client.birth_date is not None and client.cpf
    address = None
    if client.cep and client.street and client.city and client.state:
        address = Address(
            zip_code=client.cep,
            street=client.street,
            number=client.number or "S/N",
            district=client.district or "",
            city=client.city,
            state=client.state,
            complement=client.complement or "",
        )
    account, digit = _split_account(link.payout_account or "")
    data = ClientData(
        name=client.name,
        cpf=client.cpf,
        birth_date=client.birth_date,
        phone=client.phone or "",
        email=client.email or "",
        address=address,
        benefit_number=link.benefit_number,
    )
    payout = PayoutAccount(
        bank_code=link.payout_bank or "",
        branch=link.payout_agency or "",
        account=account,
        account_digit=digit,
    )
    return data, payout


def _in_progress(proposal: Proposal, now: datetime, window_s: float) -> bool:
    started = (proposal.extra or {}).get(ATTEMPT_KEY)
    return bool(started) and now - datetime.fromisoformat(started) < timedelta(seconds=window_s)  # type: ignore[arg-type]


def start_submission(
    session: Session,
    actor: Actor,
    client: Client,
    collaborator: Collaborator | None,
    simulation: BankSimulation,
    option_index: int,
    store: StateStore,
    on: date,
) -> SubmissionPlan:
    """Check, write the proposal (status "simulated") and prepare the bank call."""
    now = utcnow()
    existing = find_by_idempotency_key(session, simulation.idempotency_key)
    if existing is not None and Status(existing.status) != Status.SIMULATED:
        return SubmissionPlan(existing, None, "Esta simulação já foi digitada: a proposta abaixo é a mesma.")
    if not 0 <= option_index < len(simulation.options):
        raise DomainError("Opção de simulação inválida.")
    stored = simulation.options[option_index]
    if existing is not None and (existing.extra or {}).get("option") != option_index:
        raise DomainError("Esta simulação já está sendo digitada com outra opção.")
    if stored.get("blocked_reason"):
        raise DomainError(stored["blocked_reason"])
    if collaborator is None:
        raise DomainError("Seu usuário não está vinculado a um colaborador: peça ao administrador.")
    eligibility = can_submit_proposals(session, collaborator, on)
    if not eligibility.ok:
        raise DomainError(f"Digitação bloqueada: {eligibility.reason}.")
    require_consent(session, client, ConsentPurpose.BENEFIT_QUERY)
    option = lookups.option_from_json(stored)
    problem = rules.rate_problem(
        session,
        agreement=simulation.agreement,
        product=option.product,
        monthly_rate=option.monthly_rate,
        on=on,
    )
    if problem:
        raise DomainError(problem)
    bank = get_bank(session, option.bank)
    if not bank.has(Capability.SUBMIT):
        raise DomainError(f"O banco {bank.name} não recebe propostas pelo Athenas.")
    operator = lookups.operator_for(session, collaborator, bank.code)
    if operator is None:
        raise DomainError(f"Cadastre seu código de operador no banco {bank.name} para digitar propostas.")
    link = (
        session.get(BenefitLink, simulation.benefit_link_id)
        if simulation.benefit_link_id
        else lookups.link_for(session, client, bank.code)
    )
    data, payout = client_data(client, link)
    window = bank.connect_timeout + bank.read_timeout + 5
    if existing is not None and _in_progress(existing, now, window):
        return SubmissionPlan(existing, None, "Digitação em andamento: aguarde a resposta do banco.")
    request = SubmissionRequest(
        idempotency_key=simulation.idempotency_key,
        option=option,
        client=data,
        payout=payout,
        operator=operator,
        agreement=simulation.agreement,
    )
    proposal = existing or create_proposal(
        session,
        actor,
        NewProposal(
            client_id=client.id,
            agent_id=client.owner_id,
            submitted_by_id=collaborator.id,
            bank_code=bank.code,
            product=option.product.value,
            agreement=simulation.agreement,
            term_months=option.term_months,
            gross_amount=option.gross_amount,
            rate_table_code=option.rate_table,
            monthly_rate=option.monthly_rate,
            installment=option.installment,
            net_amount=option.net_amount,
            origin=Origin.API.value,
            idempotency_key=simulation.idempotency_key,
            extra={
                "simulation_id": simulation.id,
                "option": option_index,
                "bank_data": dict(option.bank_data),
            },
        ),
        status=Status.SIMULATED,
    )
    proposal.extra = {**(proposal.extra or {}), ATTEMPT_KEY: now.isoformat()}
    session.flush()
    connector = build_connector(settings_for(bank), store, operator)
    return SubmissionPlan(proposal, lambda: connector.submit(request))


def run_call(plan: SubmissionPlan) -> SubmissionResult | BankError:
    """Call the bank (outside any transaction); the error is returned, not raised."""
    assert plan.call is not None
    try:
        return plan.call()
    except BankError as error:
        return error


def _details(proposal: Proposal, **values: Any) -> None:
    extra = dict(proposal.extra or {})
    extra.pop(ATTEMPT_KEY, None)
    extra.update(values)
    proposal.extra = extra


def confirm(
    session: Session, actor: Actor, proposal: Proposal, result: SubmissionResult, source: str
) -> None:
    """The bank registered the proposal: number, link, "submitted", then its own status."""
    proposal.bank_proposal_number = result.bank_proposal_number
    proposal.signing_link = result.signing_link
    _details(proposal, signing_channel=result.signing_channel)
    change_status(session, actor, proposal, Status.SUBMITTED, source=source, bank_status=result.bank_status)
    if result.bank_status:
        apply_bank_status(session, actor, proposal, result.bank_status, source=source)


def finish_submission(
    session: Session, actor: Actor, client: Client, proposal: Proposal, answer: SubmissionResult | BankError
) -> str:
    """Record the bank's answer on the proposal, the client's timeline and the audit log;
    return the message for the agent (pt-BR)."""
    bank = get_bank(session, proposal.bank_code)
    outcome: str
    if isinstance(answer, SubmissionResult) and answer.confirmed and answer.bank_proposal_number:
        confirm(session, actor, proposal, answer, EventSource.USER.value)
        outcome, message = (
            "submitted",
            f"Proposta digitada no banco {bank.name}: nº {answer.bank_proposal_number}.",
        )
    elif (
        isinstance(answer, SubmissionResult | MalformedResponse)
        or (isinstance(answer, BankTimeout) and answer.after_send)
    ):
        _details(proposal)
        change_status(
            session,
            actor,
            proposal,
            Status.SUBMISSION_UNCONFIRMED,
            reason="Resposta do banco não recebida",
            source=EventSource.SYSTEM.value,
        )
        outcome = "unconfirmed"
        message = (
            f"O banco {bank.name} não confirmou a digitação a tempo. A proposta foi guardada como "
            "“Digitação não confirmada” e será conferida automaticamente com o banco; não digite de novo."
        )
    elif isinstance(answer, BankRejected):
        _details(proposal)
        change_status(session, actor, proposal, Status.CANCELLED, reason=answer.message[:500])
        outcome, message = "rejected", answer.message
    else:  # unreachable, breaker open, not authorised: nothing registered, retry allowed
        _details(proposal)
        outcome = "not_authorized" if isinstance(answer, NotAuthorized) else "unavailable"
        message = (
            f"{answer.message}. Nada foi enviado ao banco: a proposta foi guardada, tente digitar novamente."
        )
    record_call(session, bank.code, "submission", _CALL_OUTCOMES.get(outcome, outcome))
    add_timeline_event(
        session,
        client,
        "proposal.submission",
        f"Digitação no banco {bank.name}: {_OUTCOME_LABELS[outcome]}.",
        actor,
    )
    audit.record(
        session,
        actor,
        "proposal.submission",
        f"proposal:{proposal.id}",
        {"bank": bank.code, "outcome": outcome, "client_id": client.id},
    )
    session.flush()
    return message


# The call log's outcome codes (portal.banks.call_log) of a submission's outcomes.
_CALL_OUTCOMES = {"submitted": "ok", "unconfirmed": "timeout"}

_OUTCOME_LABELS = {
    "submitted": "proposta registrada",
    "unconfirmed": "não confirmada (será conferida)",
    "rejected": "recusada pelo banco",
    "unavailable": "banco indisponível, nada enviado",
    "not_authorized": "cliente sem autorização no banco",
}
