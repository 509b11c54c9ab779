"""Demo pipeline: ~3,000 proposals across banks, products and statuses, with their event
history, open pendencies (some for agente@demo.athenas) and a few parked in "needs
review"; the default bank status mappings (including the sandbox banks' exact strings),
the pendency catalogue and SLA limits. Idempotent: proposals carry "demo-…" keys and
are inserted once, in bulk (Core executemany), so the step stays fast; the board's rollup
is rebuilt afterwards (Core inserts bypass its flush hook).
Skips the proposals (not the settings) when no demo clients exist yet. Each proposal is for
one of a client's benefit/payroll links, amounts within its margin (portal/demo/amounts.py).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from portal.banks.rules import default_value, parameter
from portal.clients.models import BenefitLink, Client
from portal.core.errors import DomainError
from portal.demo.amounts import PRODUCTS_OF_AGREEMENT, SPECS, plan_amounts
from portal.people.models import Collaborator, User
from portal.proposals import pendencies, sla
from portal.proposals.mapping import lookup, set_mapping
from portal.proposals.models import Proposal, ProposalEvent
from portal.proposals.pipeline_models import Pendency, PendencyType
from portal.proposals.rollup import rebuild_rollup
from portal.proposals.services import team_and_store
from portal.proposals.statuses import Status

PROPOSAL_COUNT = 3000
SEED = 20251201
KEY_PREFIX = "demo-"
S = Status

# Bank status string → canonical status, per bank. The sandbox banks' own strings
# (sandbox_bank/core.py FLOWS) are all here, so the bank sync maps every step.
DEFAULT_MAPPINGS: dict[str, dict[str, Status]] = {
    "facta": {
        "DIGITADA": S.SUBMITTED,
        "AGUARDANDO ASSINATURA": S.WAITING_SIGNATURE,
        "AGUARDANDO ASSINATURA DIGITAL": S.WAITING_SIGNATURE,
        "ASSINADO": S.SIGNED,
        "EM ANALISE": S.UNDER_ANALYSIS,
        "PENDENTE": S.PENDING,
        "AGUARDANDO AVERBACAO": S.AWAITING_ENDORSEMENT,
        "AGUARDA AVERBACAO": S.AWAITING_ENDORSEMENT,
        "AVERBADA": S.ENDORSED,
        "AVERBADO": S.ENDORSED,
        "PAGO": S.PAID,
        "INTEGRADA": S.PAID,
        "REPROVADA": S.REFUSED,
        "CANCELADA": S.CANCELLED,
    },
    "daycoval": {
        "AGUARDANDO ASSINATURA": S.WAITING_SIGNATURE,
        "EM ANALISE": S.UNDER_ANALYSIS,
        "PENDENTE": S.PENDING,
        "AGUARDANDO AVERBACAO": S.AWAITING_ENDORSEMENT,
        "AVERBADA": S.ENDORSED,
        "INTEGRADA": S.PAID,
        "REPROVADA": S.REFUSED,
        "CANCELADA": S.CANCELLED,
    },
    "c6": {
        "AGUARDANDO_ASSINATURA": S.WAITING_SIGNATURE,
        "ASSINADA": S.SIGNED,
        "EM_ANALISE": S.UNDER_ANALYSIS,
        "APROVADA": S.AWAITING_ENDORSEMENT,
        "DESEMBOLSADA": S.PAID,
        "REPROVADA": S.REFUSED,
        "CANCELADA": S.CANCELLED,
    },
    "master": {
        "AGUARDANDO_FORMALIZACAO": S.WAITING_SIGNATURE,
        "EM_ANALISE": S.UNDER_ANALYSIS,
        "AVERBADA": S.ENDORSED,
        "PAGA": S.PAID,
        "REPROVADA": S.REFUSED,
        "CANCELADA": S.CANCELLED,
    },
    "bradesco": {
        "DIGITADA": S.SUBMITTED,
        "EM FORMALIZACAO": S.WAITING_SIGNATURE,
        "EM ANALISE": S.UNDER_ANALYSIS,
        "PENDENTE": S.PENDING,
        "AVERBADA": S.ENDORSED,
        "PAGA": S.PAID,
        "RECUSADA": S.REFUSED,
    },
}
BANK_OF_STATUS = {bank: {v: k for k, v in reversed(m.items())} for bank, m in DEFAULT_MAPPINGS.items()}
PREFIX = {"facta": "AF", "daycoval": "DC", "c6": "C6", "master": "BM", "bradesco": "BR"}
PRODUCTS = {
    "facta": ["new", "refin", "portability", "card"],
    "daycoval": ["new", "refin", "portability_refin"],
    "c6": ["clt", "new"],
    "master": ["new", "benefit_card", "card"],
    "bradesco": ["new", "refin", "fgts"],
}
AGREEMENT_OF = {"clt": "CLT", "fgts": "FGTS"}
MINIMUM_WAGE = Decimal("1518.00")  # links earning less (test data) get no demo proposals
# Where the demo's proposals stand (weights): most are still moving through the pipeline.
STATUS_WEIGHTS = [
    (S.SUBMITTED, 14),
    (S.WAITING_SIGNATURE, 12),
    (S.SIGNED, 5),
    (S.UNDER_ANALYSIS, 10),
    (S.PENDING, 8),
    (S.AWAITING_ENDORSEMENT, 8),
    (S.ENDORSED, 5),
    (S.PAID, 26),
    (S.REFUSED, 6),
    (S.CANCELLED, 4),
    (S.PAYMENT_RETURNED, 2),
]
MAIN_LINE = [
    S.SUBMITTED,
    S.WAITING_SIGNATURE,
    S.SIGNED,
    S.UNDER_ANALYSIS,
    S.AWAITING_ENDORSEMENT,
    S.ENDORSED,
    S.PAID,
]
REASONS = {
    S.PENDING: "Pendência de documentação",
    S.REFUSED: "Reprovada na análise de crédito",
    S.CANCELLED: "Cliente desistiu",
    S.PAYMENT_RETURNED: "TED devolvida: conta encerrada",
}
STAMPS = {
    S.SUBMITTED: "submitted_at",
    S.SIGNED: "signed_at",
    S.AWAITING_ENDORSEMENT: "approved_at",
    S.ENDORSED: "endorsed_at",
    S.PAID: "paid_at",
    S.CANCELLED: "cancelled_at",
}
ACTOR = "operacoes@demo.athenas"


def seed_pipeline_settings(session: Session) -> None:
    pendencies.ensure_default_types(session)
    sla.ensure_default_limits(session)
    for bank, table in DEFAULT_MAPPINGS.items():
        for bank_status, status in table.items():
            if lookup(session, bank, bank_status) is None:  # operations' edits are kept
                set_mapping(session, bank, bank_status, status)


def _path(target: Status) -> list[Status]:
    """Statuses a demo proposal went through to reach `target` (all legal moves)."""
    if target in MAIN_LINE:
        return MAIN_LINE[: MAIN_LINE.index(target) + 1]
    if target == S.PAYMENT_RETURNED:
        return [*MAIN_LINE, S.PAYMENT_RETURNED]
    if target == S.PENDING:
        return [S.SUBMITTED, S.WAITING_SIGNATURE, S.PENDING]
    return [S.SUBMITTED, S.UNDER_ANALYSIS, target]  # refused / cancelled after analysis


def _bank_and_product(rng: random.Random, agreement: str) -> tuple[str, str]:
    """A bank and one of its products the client's link can take."""
    allowed = PRODUCTS_OF_AGREEMENT[agreement]
    while True:
        bank = rng.choice(list(PRODUCTS))
        products = [p for p in PRODUCTS[bank] if p in allowed]
        if products:
            return bank, rng.choice(products)


def _plan(
    rng: random.Random, index: int, client: tuple, now: datetime, params: dict
) -> tuple[dict, list[tuple]]:
    """One proposal row and its history (status, moment), for one of the client's links."""
    client_id, agent_id, agreement, income = client
    bank, product = _bank_and_product(rng, agreement)
    target = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
    path = _path(target)
    finished = target in (S.PAID, S.REFUSED, S.CANCELLED, S.PAYMENT_RETURNED)
    # Open proposals are recent (a few days in the pipeline), so some, not all, break SLA.
    started = now - timedelta(days=rng.uniform(1, 120) if finished else rng.uniform(0.2, 7))
    moments = sorted(started + (now - started) * rng.random() ** 2 for _ in path[1:])
    history = list(zip(path, [started, *moments], strict=True))
    margin = SPECS[product].margin
    amounts = plan_amounts(
        rng, product, income, params[margin] if margin else None, started.date(), params["iof"]
    )
    bank_status = BANK_OF_STATUS[bank].get(target)
    row = {
        "client_id": client_id,
        "agent_id": agent_id,
        "bank_code": bank,
        "product": product,
        "agreement": AGREEMENT_OF.get(product, agreement),
        "term_months": amounts.term,
        "monthly_rate": amounts.monthly_rate,
        "gross_amount": amounts.gross,
        "net_amount": amounts.net,
        "installment": amounts.installment,
        "bank_proposal_number": f"{PREFIX[bank]}{9_000_000 + index}",
        "status": target.value,
        "sub_status": None,
        "sub_status_by_human": False,
        "bank_status": bank_status,
        "needs_review": False,
        "status_changed_at": history[-1][1],
        "origin": "manual" if bank == "bradesco" else "api",
        "idempotency_key": f"{KEY_PREFIX}{index}",
        "extra": {},
        "created_at": started,
        "updated_at": history[-1][1],
        "version": len(history),
    }
    for status, moment in history:
        if status in STAMPS and row.get(STAMPS[status]) is None:
            row[STAMPS[status]] = moment
    for stamp in STAMPS.values():
        row.setdefault(stamp, None)
    if rng.random() < 0.015 and target not in (S.PAID, S.REFUSED, S.CANCELLED):
        row["bank_status"], row["needs_review"] = "EM ANALISE DOCUMENTAL", True  # unmapped on purpose
    return row, history


def _client_links(session: Session) -> list[tuple]:
    """(client id, owner id, agreement, monthly income) of the links proposals can be for."""
    rows = session.execute(
        select(Client.id, Client.owner_id, BenefitLink.agreement, BenefitLink.monthly_income)
        .join(BenefitLink, BenefitLink.client_id == Client.id)
        .where(BenefitLink.agreement.in_(list(PRODUCTS_OF_AGREEMENT)))
        .order_by(Client.id, BenefitLink.id)
        .limit(3000)
    ).all()
    return [tuple(r) for r in rows if r[3] is not None and r[3] >= MINIMUM_WAGE]


def _parameters(session: Session, on: date) -> dict:
    """The margin percentages and IOF rates in force (rules.py's regulatory parameters)."""

    def value(name: str) -> Decimal:
        try:
            return parameter(session, name, on)
        except DomainError:  # this step run alone, before the parameters' step
            return default_value(name)

    params: dict = {spec.margin: value(spec.margin) for spec in SPECS.values() if spec.margin}
    params["iof"] = (value("iof_daily_pct"), value("iof_flat_pct"))
    return params


def seed_proposals(session: Session) -> None:
    """Settings always; proposals once, when demo clients exist."""
    seed_pipeline_settings(session)
    done = session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.idempotency_key.like(f"{KEY_PREFIX}%"))
    )
    clients = _client_links(session)
    if done or not clients:
        return
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    params = _parameters(session, now.date())
    ops_id = session.scalar(select(User.id).where(User.email == ACTOR))
    units = {owner: team_and_store(session, owner, date.today()) for owner in {c[1] for c in clients}}
    plans = [_plan(rng, i, rng.choice(clients), now, params) for i in range(PROPOSAL_COUNT)]
    rows = []
    for row, _history in plans:
        row["team_id"], row["store_id"] = units[row["agent_id"]]
        rows.append(row)
    session.execute(insert(Proposal), rows)
    rebuild_rollup(session)
    ids = dict(  # type: ignore[var-annotated]
        session.execute(  # type: ignore[arg-type]
            select(Proposal.idempotency_key, Proposal.id).where(
                Proposal.idempotency_key.like(f"{KEY_PREFIX}%")
            )
        ).all()
    )
    events = []
    for row, history in plans:
        proposal_id = ids[row["idempotency_key"]]
        previous = None
        for status, moment in history:
            events.append(
                {
                    "proposal_id": proposal_id,
                    "occurred_at": moment,
                    "actor_id": ops_id if previous else None,
                    "actor_label": ACTOR if previous else "sistema",
                    "source": "user" if previous else "system",
                    "from_status": previous.value if previous else None,
                    "to_status": status.value,
                    "reason": REASONS.get(status),
                    "bank_status": None,
                    "details": {},
                }
            )
            previous = status
    session.execute(insert(ProposalEvent), events)
    _seed_pendencies(session, rng, plans, ids, ops_id, now)


def _seed_pendencies(session: Session, rng: random.Random, plans, ids, ops_id, now) -> None:
    """An open pendency on every pending proposal (Ana's are hers to clear)."""
    type_ids = list(session.scalars(select(PendencyType.id).order_by(PendencyType.id)))
    ana = session.scalar(
        select(Collaborator.id)
        .join(User, User.id == Collaborator.user_id)
        .where(User.email == "agente@demo.athenas")
    )
    rows = []
    for row, history in plans:
        if row["status"] != S.PENDING.value:
            continue
        owner = "agent" if row["agent_id"] == ana or rng.random() < 0.5 else "operations"
        rows.append(
            {
                "proposal_id": ids[row["idempotency_key"]],
                "type_id": rng.choice(type_ids),
                "description": rng.choice(["Selfie ilegível", "Enviar comprovante de residência", None]),
                "owner_kind": owner,
                "due_on": (now + timedelta(days=rng.randint(-2, 5))).date(),
                "opened_by_id": ops_id,
                "opened_at": history[-1][1],
                "resolved_at": None,
                "resolved_by_id": None,
                "resolution_note": None,
            }
        )
    if rows:
        session.execute(insert(Pendency), rows)
