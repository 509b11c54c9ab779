"""The board's "SLA estourado" for users who see everything: the hour buckets plus one
boundary count give exactly what counting the proposals gives, at the boundary to the
microsecond (fake clock: `now` is passed in) and after random moves, bank changes and
deletes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from portal.core.audit import Actor
from portal.proposals import sla
from portal.proposals.board import build_board
from portal.proposals.listing import ProposalFilters
from portal.proposals.models import Proposal, ProposalEvent
from portal.proposals.services import change_status
from tests import factories

OPS = Actor(id=None, label="operador@teste")
NOW = datetime(2026, 11, 30, 15, 20, 0, tzinfo=UTC)  # the fake clock: limit 24 h → boundary 29/11 15:20


def _at(db, org, moment: datetime, bank: str = "facta", status: str = "submitted") -> Proposal:
    proposal = factories.proposal(db, org.client, bank_code=bank, status=status)
    proposal.status_changed_at = moment
    db.flush()
    return proposal


def _column(db, user, status: str, now: datetime, **filters):
    board = build_board(db, user, ProposalFilters(**filters), sla.limits(db), now)
    return next(c for c in board.columns if c.status.value == status)


def test_boundary_minute_inside_the_partial_hour(db, org):
    sla.save_limits(db, OPS, {"submitted": 24})
    boundary = NOW - timedelta(hours=24)  # 29/11 15:20:00
    _at(db, org, boundary)  # exactly at the limit: not over it yet
    _at(db, org, boundary - timedelta(microseconds=1))  # one microsecond over: breached
    _at(db, org, datetime(2026, 11, 29, 15, 0, tzinfo=UTC))  # start of the boundary hour: breached
    _at(db, org, datetime(2026, 11, 29, 15, 5, tzinfo=UTC))  # boundary hour, before: breached
    _at(db, org, datetime(2026, 11, 29, 15, 59, 59, 999999, tzinfo=UTC))  # boundary hour, after: fine
    _at(db, org, datetime(2026, 11, 29, 16, 0, tzinfo=UTC))  # first whole hour bucket: fine
    _at(db, org, datetime(2026, 11, 29, 14, 59, tzinfo=UTC))  # the hour before: breached
    _at(db, org, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))  # days ago: breached
    _at(db, org, NOW)  # just entered: fine
    _at(db, org, NOW + timedelta(hours=2))  # a clock ahead of ours: fine
    _at(db, org, datetime(2026, 11, 29, 15, 30, tzinfo=UTC), bank="c6")  # other bank, fine
    _at(db, org, datetime(2026, 11, 29, 15, 10, tzinfo=UTC), bank="c6")  # other bank, breached
    submitted = _column(db, org.operations_user, "submitted", NOW)
    assert (submitted.count, submitted.breached) == (12, 6)
    facta = _column(db, org.operations_user, "submitted", NOW, bank="facta")
    assert (facta.count, facta.breached) == (10, 5)
    # One minute later the 15:20:00 proposal is over the limit too.
    later = _column(db, org.operations_user, "submitted", NOW + timedelta(minutes=1))
    assert later.breached == 7
    # Boundary 15:45, in the second half of its hour (counted from the other side).
    late_half = _column(db, org.operations_user, "submitted", NOW + timedelta(minutes=25))
    assert late_half.breached == 8  # + 15:30 (c6) over the limit; 15:59:59.999999 and 16:00 not
    at_half = _column(db, org.operations_user, "submitted", NOW + timedelta(minutes=10))
    assert at_half.breached == 7  # boundary 15:30:00 exactly: the c6 one at 15:30 is not over yet

    hour_later = _column(db, org.operations_user, "submitted", NOW + timedelta(hours=1))
    assert hour_later.breached == 10


def test_boundary_exactly_on_the_hour(db, org):
    sla.save_limits(db, OPS, {"pending": 48})
    now = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # boundary 28/11 15:00:00, a whole hour
    for moment in (
        datetime(2026, 11, 28, 15, 0, tzinfo=UTC),  # at the limit: fine
        datetime(2026, 11, 28, 14, 59, 59, 999999, tzinfo=UTC),  # breached
        datetime(2026, 11, 28, 14, 0, tzinfo=UTC),  # breached
        datetime(2026, 11, 28, 15, 30, tzinfo=UTC),  # fine
        datetime(2026, 11, 28, 16, 0, tzinfo=UTC),  # fine
    ):
        proposal = factories.proposal(db, org.client)
        change_status(db, OPS, proposal, "pending", reason="Documento ilegível")
        proposal.status_changed_at = moment
        db.flush()
    pending = _column(db, org.operations_user, "pending", now)
    assert (pending.count, pending.breached) == (5, 2)
    # The scoped path (agent rollup + index) agrees: all five belong to the agent.
    mine = _column(db, org.agent_user, "pending", now)
    assert (mine.count, mine.breached) == (5, 2)


def test_moves_take_the_proposal_out_of_its_bucket(db, org):
    sla.save_limits(db, OPS, {"submitted": 24, "waiting_signature": 72})
    old = _at(db, org, datetime(2026, 11, 28, 10, 15, tzinfo=UTC))
    fresh = _at(db, org, datetime(2026, 11, 30, 10, 15, tzinfo=UTC))
    assert _column(db, org.operations_user, "submitted", NOW).breached == 1
    change_status(db, OPS, old, "waiting_signature")  # enters the new status now-ish
    old.status_changed_at = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)  # ... 53 h ago: within 72 h
    db.flush()
    assert _column(db, org.operations_user, "submitted", NOW).breached == 0
    waiting = _column(db, org.operations_user, "waiting_signature", NOW)
    assert (waiting.count, waiting.breached) == (1, 0)
    fresh.status_changed_at = datetime(2026, 11, 27, 10, 15, tzinfo=UTC)  # same status, older hour
    db.flush()
    assert _column(db, org.operations_user, "submitted", NOW).breached == 1


def _raw_figures(db, limits: dict[str, int], now: datetime, bank: str = "") -> dict[str, tuple[int, int]]:
    """status → (count, breached) counted straight from the proposals (open statuses)."""
    result = {}
    for status, hours in limits.items():
        where = [Proposal.status == status] + ([Proposal.bank_code == bank] if bank else [])
        total = db.scalar(select(func.count()).select_from(Proposal).where(*where))
        late = db.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(*where, Proposal.status_changed_at < now - timedelta(hours=hours))
        )
        if total:
            result[status] = (total, late)
    return result


def _board_figures(db, user, now: datetime, bank: str = "") -> dict[str, tuple[int, int]]:
    board = build_board(db, user, ProposalFilters(bank=bank), sla.limits(db), now)
    return {c.status.value: (c.count, c.breached) for c in board.columns if c.count and not c.windowed}


def test_random_moves_agree_with_counting_the_proposals(db, org):
    rng = random.Random(20261201)
    limits = {"submitted": 24, "waiting_signature": 72, "pending": 48, "under_analysis": 5}
    sla.save_limits(db, OPS, {s: limits.get(s) for s in {s.value for s in sla.TRACKED}})
    banks = ["facta", "c6", "daycoval"]
    start = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)

    def moment() -> datetime:
        # Whole hours, whole minutes and odd microseconds: boundaries get hit exactly.
        base = start + timedelta(hours=rng.randrange(0, 24 * 6))
        return base + rng.choice(
            [
                timedelta(0),
                timedelta(minutes=rng.randrange(60)),
                timedelta(microseconds=rng.randrange(3_600_000_000)),
            ]
        )

    proposals = [_at(db, org, moment(), bank=rng.choice(banks)) for _ in range(25)]
    mixed = 0  # comparisons where a status had both late and fresh proposals
    for step in range(80):
        proposal = rng.choice(proposals)
        choice = rng.random()
        if choice < 0.4:
            target = rng.choice(["submitted", "waiting_signature", "pending", "under_analysis", "paid"])
            if target != proposal.status:
                proposal.status = target  # any move, as a bank sync may do
            proposal.status_changed_at = moment()
        elif choice < 0.7:
            proposal.status_changed_at = moment()
        elif choice < 0.85:
            proposal.bank_code = rng.choice(banks)
        elif len(proposals) > 10:
            proposals.remove(proposal)
            db.execute(delete(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id))
            db.delete(proposal)
        db.flush()
        if step % 8 == 7:
            for _ in range(3):
                now = moment() + timedelta(hours=rng.choice([0, 24, 48, 72]))
                raw = _raw_figures(db, limits, now)
                assert _board_figures(db, org.operations_user, now) == raw
                mixed += sum(1 for count, late in raw.values() if 0 < late < count)
                bank = rng.choice(banks)
                assert _board_figures(db, org.operations_user, now, bank) == _raw_figures(
                    db, limits, now, bank
                )
    assert len(proposals) < 25 and mixed > 10  # deletes happened; boundaries fell inside statuses
