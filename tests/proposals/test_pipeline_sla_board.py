"""SLA limits and breaches, the board's figures and cards, the filtered list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.proposals import sla
from portal.proposals.board import build_board, column_cards
from portal.proposals.listing import ProposalFilters, proposals_page
from portal.proposals.services import change_status
from portal.proposals.statuses import Status
from tests import factories

OPS = Actor(id=None, label="operador@teste")


def _aged(db, proposal, hours):
    proposal.status_changed_at = utcnow() - timedelta(hours=hours)
    db.flush()
    return proposal


def test_limits_are_editable_and_breach_follows_them(db, org):
    sla.save_limits(db, OPS, {"submitted": 10, "pending": None})
    limits = sla.limits(db)
    assert limits["submitted"] == 10 and "pending" not in limits
    proposal = _aged(db, factories.proposal(db, org.client), 11)
    assert sla.is_breached(proposal, limits)
    assert not sla.is_breached(proposal, {**limits, "submitted": 12})
    assert not sla.is_breached(proposal, {})
    with pytest.raises(DomainError, match="Status sem SLA"):
        sla.save_limits(db, OPS, {"paid": 3})
    with pytest.raises(DomainError, match="entre 0"):
        sla.save_limits(db, OPS, {"submitted": -1})


def test_breached_filter_matches_python_rule(db, org):
    sla.save_limits(db, OPS, {"submitted": 24, "waiting_signature": 72})
    limits = sla.limits(db)
    late = _aged(db, factories.proposal(db, org.client), 30)
    _aged(db, factories.proposal(db, org.client), 2)
    waiting = factories.proposal(db, org.client)
    change_status(db, OPS, waiting, "waiting_signature")
    _aged(db, waiting, 30)  # under its 72 h limit
    page = proposals_page(db, org.operations_user, ProposalFilters(sla_breached=True), limits, None)
    assert [p.id for p in page.items] == [late.id]


def test_board_counts_amounts_breaches_and_cards_in_scope(db, org):
    sla.save_limits(db, OPS, {"submitted": 24})
    limits = sla.limits(db)
    a = _aged(db, factories.proposal(db, org.client, gross_amount=Decimal("1000.10")), 48)
    b = factories.proposal(db, org.client, gross_amount=Decimal("2000.20"))
    c = factories.proposal(db, org.other_client, gross_amount=Decimal("500.00"))
    change_status(db, OPS, c, "waiting_signature")
    c.needs_review = True
    db.flush()
    board = build_board(db, org.operations_user, ProposalFilters(), limits)
    columns = {col.status.value: col for col in board.columns}
    submitted = columns["submitted"]
    assert (submitted.count, submitted.amount, submitted.breached) == (2, Decimal("3000.30"), 1)
    cards = column_cards(db, org.operations_user, ProposalFilters(), limits, Status.SUBMITTED)
    assert [p.id for p in cards.items] == [a.id, b.id] and not cards.has_next  # longest waiting first
    assert columns["waiting_signature"].needs_review == 1
    assert board.total == 3 and board.breached == 1
    mine = build_board(db, org.agent_user, ProposalFilters(), limits)
    assert mine.total == 2  # the agent's board only counts their own proposals
    by_bank = build_board(db, org.operations_user, ProposalFilters(bank="daycoval"), limits)
    assert by_bank.total == 0


def test_list_filters_and_keyset_pages(db, org):
    made = [factories.proposal(db, org.client, bank_code="facta") for _ in range(3)]
    other = factories.proposal(db, org.other_client, bank_code="c6", product="clt", agreement="CLT")
    limits = sla.limits(db)
    ops, facta = org.operations_user, ProposalFilters(bank="facta")
    first = proposals_page(db, ops, facta, limits, None, per_page=2)
    assert [p.id for p in first.items] == [made[2].id, made[1].id] and first.has_next
    second = proposals_page(db, ops, facta, limits, first.next_cursor, 2)
    assert [p.id for p in second.items] == [made[0].id] and not second.has_next
    cases = {
        ProposalFilters(product="clt"): [other.id],
        ProposalFilters(agreement="CLT"): [other.id],
        ProposalFilters(store_id=org.store_b.id): [other.id],
        ProposalFilters(agent_id=org.agent.id): [p.id for p in reversed(made)],
        ProposalFilters(status="paid"): [],
        ProposalFilters(number=str(other.id)): [other.id],
    }
    for filters, expected in cases.items():
        assert [p.id for p in proposals_page(db, ops, filters, limits, None).items] == expected
    scoped = proposals_page(db, org.agent_user, ProposalFilters(), limits, None)
    assert other.id not in [p.id for p in scoped.items]


def test_finished_columns_count_only_the_last_30_days(db, org):
    recent = factories.proposal(db, org.client, status="paid")
    old = factories.proposal(db, org.client, status="paid")
    _aged(db, old, 24 * 60)
    board = build_board(db, org.operations_user, ProposalFilters(), sla.limits(db))
    paid = next(c for c in board.columns if c.status.value == "paid")
    cards = column_cards(db, org.operations_user, ProposalFilters(), {}, Status.PAID)
    assert paid.count == 1 and [p.id for p in cards.items] == [recent.id] and paid.windowed
    listed = proposals_page(db, org.operations_user, ProposalFilters(status="paid"), {}, None)
    assert {p.id for p in listed.items} == {recent.id, old.id}  # the list keeps all history


def test_late_filter_with_a_status_keeps_only_that_status_over_its_own_limit(db, org):
    sla.save_limits(db, OPS, {"submitted": 24, "pending": 48})
    limits = sla.limits(db)
    late_pending = factories.proposal(db, org.client, status="pending", bank_code="facta")
    _aged(db, late_pending, 50)
    _aged(db, factories.proposal(db, org.client, status="pending"), 30)  # within 48 h
    _aged(db, factories.proposal(db, org.client, status="submitted"), 30)  # late, another status
    _aged(db, factories.proposal(db, org.client, status="pending", bank_code="c6"), 50)  # another bank
    late = ProposalFilters(bank="facta", status="pending", sla_breached=True)
    listed = proposals_page(db, org.operations_user, late, limits, None).items
    assert [p.id for p in listed] == [late_pending.id]
    no_limit = ProposalFilters(status="signed", sla_breached=True)
    _aged(db, factories.proposal(db, org.client, status="signed"), 500)
    assert proposals_page(db, org.operations_user, no_limit, {"pending": 48}, None).items == []


def test_list_rows_carry_the_names_and_fields_the_pages_show(db, org):
    made = factories.proposal(db, org.client, bank_code="facta", gross_amount=Decimal("1234.56"))
    [row] = proposals_page(db, org.operations_user, ProposalFilters(number=str(made.id)), {}, None).items
    assert (row.id, row.client_name, row.agent_name) == (made.id, "Maria da Silva", org.agent.name)
    assert (row.bank_code, row.status, row.version) == ("facta", "submitted", 1)
    assert row.gross_amount == Decimal("1234.56")


def test_column_cards_come_in_keyset_pages_in_scope(db, org):
    """Open columns: longest waiting first; finished ones: latest first; each page picks
    up after the last card (ties on the moment broken by number), scoped to the user."""
    waiting = [_aged(db, factories.proposal(db, org.client), hours) for hours in (50, 40, 40, 30, 20, 10)]
    theirs = _aged(db, factories.proposal(db, org.other_client), 45)
    waiting[2].status_changed_at = waiting[1].status_changed_at  # same moment: id decides
    db.flush()
    ops = org.operations_user
    first = column_cards(db, ops, ProposalFilters(), {}, Status.SUBMITTED, per_page=3)
    assert [p.id for p in first.items] == [waiting[0].id, theirs.id, waiting[1].id] and first.has_next
    second = column_cards(db, ops, ProposalFilters(), {}, Status.SUBMITTED, first.next_cursor, per_page=3)
    assert [p.id for p in second.items] == [waiting[2].id, waiting[3].id, waiting[4].id]
    third = column_cards(db, ops, ProposalFilters(), {}, Status.SUBMITTED, second.next_cursor, per_page=3)
    assert [p.id for p in third.items] == [waiting[5].id] and not third.has_next
    garbled = column_cards(db, ops, ProposalFilters(), {}, Status.SUBMITTED, "bm9wZQ", per_page=3)
    assert [p.id for p in garbled.items] == [p.id for p in first.items]  # restarts at the top
    mine = column_cards(db, org.agent_user, ProposalFilters(), {}, Status.SUBMITTED, per_page=10)
    assert theirs.id not in [p.id for p in mine.items] and len(mine.items) == 6
    paid = [_aged(db, factories.proposal(db, org.client, status="paid"), hours) for hours in (5, 1, 3)]
    newest = column_cards(db, ops, ProposalFilters(), {}, Status.PAID, per_page=2)
    assert [p.id for p in newest.items] == [paid[1].id, paid[2].id]
    rest = column_cards(db, ops, ProposalFilters(), {}, Status.PAID, newest.next_cursor, per_page=2)
    assert [p.id for p in rest.items] == [paid[0].id] and not rest.has_next
    other_status = column_cards(db, ops, ProposalFilters(status="paid"), {}, Status.SUBMITTED)
    assert other_status.items == []
