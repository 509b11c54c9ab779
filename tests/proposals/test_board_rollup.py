"""The board's rollups (per agent, without the agent, and the open statuses' hour buckets)
stay equal to a fresh GROUP BY of the proposals through creates, moves, bulk moves, bank
statuses, imports, review flags, random walks and concurrent writers; the board reads its
figures from them, scoped."""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.proposals import operations, rollup, sla
from portal.proposals.board import bank_rollup_statement, build_board, rollup_statement, uses_rollup
from portal.proposals.listing import ProposalFilters
from portal.proposals.mapping import apply_bank_status, set_mapping
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import (
    ProposalStatusBankRollup,
    ProposalStatusHour,
    ProposalStatusRollup,
)
from portal.proposals.services import change_status
from portal.proposals.statuses import Status, allowed_next, needs_reason
from tests import factories
from tests.pipeline_helpers import count_queries, hub_import, xlsx

OPS = Actor(id=None, label="operador@teste")
BANKS = ["facta", "c6", "daycoval"]


def expected(db) -> dict[tuple, tuple[int, Decimal, int]]:
    """A fresh GROUP BY of the proposals, bucketed in Python (the rule, written again)."""
    sums: dict[tuple, list] = defaultdict(lambda: [0, Decimal("0.00"), 0])
    for p in db.scalars(select(Proposal)):
        day = p.status_changed_at.date() if p.status in ("paid", "refused", "cancelled") else rollup.OPEN_DAY
        entry = sums[(day, p.status, p.agent_id, p.bank_code)]
        entry[0] += 1
        entry[1] += p.gross_amount
        entry[2] += 1 if p.needs_review else 0
    return {key: tuple(v) for key, v in sums.items()}


def expected_by_bank(db) -> dict[tuple, tuple[int, Decimal, int]]:
    sums: dict[tuple, list] = defaultdict(lambda: [0, Decimal("0.00"), 0])
    for (day, status, _agent, bank), values in expected(db).items():
        for i, value in enumerate(values):
            sums[(day, status, bank)][i] += value
    return {key: tuple(v) for key, v in sums.items()}


def expected_hours(db) -> dict[tuple, int]:
    """Open statuses' proposals per (status, bank, UTC hour of the last move), and per
    (status, "*", hour) over all banks."""
    counts: dict[tuple, int] = defaultdict(int)
    for p in db.scalars(select(Proposal)):
        if p.status not in ("paid", "refused", "cancelled"):
            hour = p.status_changed_at.replace(minute=0, second=0, microsecond=0)
            counts[(p.status, p.bank_code, hour)] += 1
            counts[(p.status, "*", hour)] += 1  # the total over all banks
    return dict(counts)


def stored(db) -> dict[tuple, tuple[int, Decimal, int]]:
    db.flush()
    db.expire_all()
    return {
        (r.day, r.status, r.agent_id, r.bank_code): (r.proposals, r.gross_amount, r.needs_review)
        for r in db.scalars(select(ProposalStatusRollup))
        if (r.proposals, r.gross_amount, r.needs_review) != (0, Decimal("0.00"), 0)
    }


def stored_by_bank(db) -> dict[tuple, tuple[int, Decimal, int]]:
    return {
        (r.day, r.status, r.bank_code): (r.proposals, r.gross_amount, r.needs_review)
        for r in db.scalars(select(ProposalStatusBankRollup))
        if (r.proposals, r.gross_amount, r.needs_review) != (0, Decimal("0.00"), 0)
    }


def stored_hours(db) -> dict[tuple, int]:
    return {
        (r.status, r.bank_code, r.hour): r.proposals
        for r in db.scalars(select(ProposalStatusHour))
        if r.proposals
    }


def assert_in_step(db) -> None:
    assert stored(db) == expected(db)
    assert stored_by_bank(db) == expected_by_bank(db)
    assert stored_hours(db) == expected_hours(db)


def _move_randomly(db, rng, proposal) -> None:
    targets = allowed_next(Status(proposal.status), proposal.product)
    if not targets:
        return
    target = rng.choice(targets)
    reason = "motivo" if needs_reason(target) else None
    operations.move(db, OPS, proposal, target, reason=reason, expected_version=proposal.version)


def test_creates_and_moves_keep_the_rollup_equal_to_a_group_by(db, org):
    assert_in_step(db)
    a = factories.proposal(db, org.client, gross_amount=Decimal("1000.10"))
    b = factories.proposal(db, org.other_client, bank_code="c6", gross_amount=Decimal("99.99"))
    assert_in_step(db)
    change_status(db, OPS, a, "waiting_signature")
    change_status(db, OPS, b, "refused", reason="Reprovada")
    assert_in_step(db)
    b.status_changed_at = utcnow() - timedelta(days=90)  # an old refusal changes its day bucket
    a.needs_review = True
    db.flush()
    assert_in_step(db)


def test_random_walk_with_bulk_moves_bank_statuses_and_reviews(db, org):
    rng = random.Random(20251130)
    set_mapping(db, "facta", "EM ANALISE", Status.UNDER_ANALYSIS)
    set_mapping(db, "facta", "PAGO", Status.PAID)
    proposals = [
        factories.proposal(
            db,
            rng.choice([org.client, org.other_client]),
            bank_code=rng.choice(BANKS),
            gross_amount=Decimal(rng.randrange(100, 10_000_000)) / 100,
        )
        for _ in range(12)
    ]
    for step in range(60):
        choice = rng.random()
        if choice < 0.55:
            _move_randomly(db, rng, rng.choice(proposals))
        elif choice < 0.7:
            picked = rng.sample(proposals, 4)
            operations.bulk_move(db, OPS, [(p, p.version) for p in picked], Status.UNDER_ANALYSIS, None)
        elif choice < 0.85:
            facta = [p for p in proposals if p.bank_code == "facta"] or proposals[:1]
            proposal = rng.choice(facta)
            apply_bank_status(db, OPS, proposal, rng.choice(["EM ANALISE", "PAGO", "STATUS NOVO"]))
        else:
            proposal = rng.choice(proposals)
            proposal.status_changed_at = utcnow() - timedelta(days=rng.randint(0, 90))
            db.flush()
        if step % 10 == 9:
            assert_in_step(db)
    assert_in_step(db)
    assert rollup.rebuild_rollup(db) > 0
    assert_in_step(db)  # the rebuild agrees with what the writes maintained


def test_import_keeps_the_rollup_in_step(db, org, storage):
    from portal.core.documents import generate_cpf

    cpf = generate_cpf(random.Random(5))
    factories.client(db, org.agent, cpf=cpf, name="Cliente Importado")
    set_mapping(db, "facta", "PAGO", Status.PAID)
    headers = [
        "CPF do cliente",
        "Banco",
        "Produto",
        "Convênio",
        "Prazo",
        "Valor bruto",
        "Nº da proposta",
        "Status",
    ]
    rows = [
        [cpf, "Facta", "novo", "INSS", 84, "1000,00", "R1", "PAGO"],
        [cpf, "Facta", "novo", "INSS", 84, "2500,50", "R2", "DESCONHECIDO"],
        [cpf, "Facta", "novo", "INSS", 999, "1000,00", "R3", ""],  # refused row
    ]
    record = hub_import(db, org.operations_user, xlsx(headers, rows), "lote.xlsx", storage)
    assert (record.imported, record.errors) == (2, 1)
    assert_in_step(db)


def test_board_reads_scoped_figures_from_the_rollup_only(app, db, org):
    sla.save_limits(db, OPS, {"submitted": 24})
    limits = sla.limits(db)
    late = factories.proposal(db, org.client, gross_amount=Decimal("1000.10"))
    late.status_changed_at = utcnow() - timedelta(hours=30)
    factories.proposal(db, org.client, gross_amount=Decimal("2000.20"))
    factories.proposal(db, org.other_client, gross_amount=Decimal("500.00"))
    db.flush()
    assert uses_rollup(ProposalFilters(bank="facta", agent_id=org.agent.id))
    engine = app.extensions["athenas.db"]["engine"]
    with count_queries(engine) as statements:
        board = build_board(db, org.operations_user, ProposalFilters(), limits)
    # Operations sees everything: the agent-free rollup and the hour buckets, once each;
    # the proposals only for the partial hour at the limit (a bounded range).
    assert len([s for s in statements if "proposal_status_bank_rollup" in s]) == 1
    assert len([s for s in statements if "proposal_status_hours" in s]) == 1
    assert not any("proposal_status_rollup" in s for s in statements)
    assert not any("GROUP BY proposals." in s for s in statements)
    # Each read of the proposals is one status's partial hour: bounded on both sides.
    reads = [part for s in statements for part in s.split("UNION ALL") if "FROM proposals" in part]
    assert reads and all(
        "proposals.status_changed_at >=" in part and "proposals.status_changed_at <" in part for part in reads
    )
    submitted = next(c for c in board.columns if c.status == Status.SUBMITTED)
    assert (submitted.count, submitted.amount, submitted.breached) == (3, Decimal("3500.30"), 1)
    with count_queries(engine) as scoped_statements:
        mine = build_board(db, org.agent_user, ProposalFilters(), limits)
    assert len([s for s in scoped_statements if "proposal_status_rollup" in s]) == 1  # keyed by agent
    assert not any("GROUP BY proposals." in s for s in scoped_statements)
    assert not any("proposal_status_bank_rollup" in s for s in scoped_statements)
    mine_submitted = next(c for c in mine.columns if c.status == Status.SUBMITTED)
    assert (mine.total, mine_submitted.amount, mine.breached) == (2, Decimal("3000.30"), 1)
    theirs = build_board(db, org.operations_user, ProposalFilters(agent_id=org.other_agent.id), limits)
    assert (theirs.total, theirs.breached) == (1, 0)
    # A filter the rollup has no dimension for falls back to the proposals, same figures.
    by_product = build_board(db, org.agent_user, ProposalFilters(product="new"), limits)
    assert (by_product.total, by_product.breached) == (2, 1)


def test_rollup_statements_never_touch_the_proposals_table(db, org):
    stmt = rollup_statement(db, org.agent_user, ProposalFilters(bank="facta"), utcnow())
    sql = str(stmt.compile(db.get_bind()))
    assert "proposal_status_rollup" in sql and "proposals." not in sql.replace("proposal_status_rollup.", "")
    sql = str(bank_rollup_statement(ProposalFilters(bank="facta"), utcnow()).compile(db.get_bind()))
    assert "proposal_status_bank_rollup" in sql and "agent_id" not in sql
    assert "proposals." not in sql.replace("proposal_status_bank_rollup.", "")


def test_two_sessions_incrementing_the_same_key_lose_nothing(app):
    """Two transactions add to the same row at once: the second waits for the first and
    both increments stay (a read-modify-write would have lost one)."""
    engine = app.extensions["athenas.db"]["engine"]
    key = (rollup.OPEN_DAY, "submitted", -4242, "facta")
    delta = {key: [1, Decimal("10.00"), 0]}
    first = Session(bind=engine)
    second_done = threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with Session(bind=engine) as other:
                rollup.apply_deltas(other.connection(), delta)
                other.commit()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            second_done.set()

    try:
        rollup.apply_deltas(first.connection(), delta)  # holds the row (or the database) lock
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not second_done.wait(0.3)  # the second writer waits for the first
        first.commit()
        thread.join(10)
        assert not errors
        with Session(bind=engine) as check:
            row = check.get(
                ProposalStatusRollup,
                {"day": key[0], "status": key[1], "agent_id": key[2], "bank_code": key[3]},
            )
            assert (row.proposals, row.gross_amount) == (2, Decimal("20.00"))
    finally:
        first.close()
        with Session(bind=engine) as cleanup:
            cleanup.execute(delete(ProposalStatusRollup).where(ProposalStatusRollup.agent_id == key[2]))
            cleanup.commit()
