"""The canonical status machine: every allowed move works, illegal ones are refused."""

from __future__ import annotations

import pytest

from portal.core.errors import DomainError
from portal.proposals.statuses import (
    TERMINAL,
    Status,
    allowed_next,
    check_transition,
    needs_reason,
)

# The lifecycle written out by hand from DOMAIN.md, not read from `TRANSITIONS`: a change
# to the machine must change this table too. "close" = refused and cancelled.
EXPECTED = """
simulated: submitted submission_unconfirmed cancelled
submission_unconfirmed: submitted waiting_signature close
submitted: waiting_signature under_analysis pending close
waiting_signature: signed pending close
signed: under_analysis awaiting_cip awaiting_endorsement pending close
under_analysis: waiting_signature pending awaiting_cip awaiting_endorsement close
pending: submitted waiting_signature signed under_analysis awaiting_cip awaiting_balance_payment
    awaiting_endorsement close
awaiting_cip: balance_returned pending close
balance_returned: awaiting_balance_payment pending close
awaiting_balance_payment: awaiting_endorsement pending close
awaiting_endorsement: endorsed pending close
endorsed: paid payment_returned cancelled
paid: settled_early refinanced_away ported_out fraud death cancelled
payment_returned: paid pending cancelled
"""
PORTABILITY_ONLY = {"awaiting_cip", "balance_returned", "awaiting_balance_payment"}


def _expected() -> set[tuple[str, str]]:
    pairs = set()
    for line in EXPECTED.replace("\n    ", " ").strip().splitlines():
        current, targets = line.split(":")
        for target in targets.split():
            for name in ("refused", "cancelled") if target == "close" else (target,):
                pairs.add((current, name))
    return pairs


ALLOWED = _expected()
ALL_PAIRS = [(a, b) for a in Status for b in Status if a != b]


def test_the_hand_written_table_has_every_status_it_names():
    assert len(ALLOWED) == 65
    assert {name for pair in ALLOWED for name in pair} <= {s.value for s in Status}


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_each_move_is_allowed_exactly_when_the_lifecycle_says_so(current, target):
    product = "portability" if target in PORTABILITY_ONLY or current in PORTABILITY_ONLY else "new"
    reason = "motivo" if needs_reason(target) else None
    if (current.value, target.value) in ALLOWED:
        check_transition(current, target, product, reason)
    else:
        with pytest.raises(DomainError, match="Não é possível passar de"):
            check_transition(current, target, product, reason)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.SUBMITTED, Status.PAID),
        (Status.WAITING_SIGNATURE, Status.ENDORSED),
        (Status.PAID, Status.SUBMITTED),
        (Status.REFUSED, Status.SUBMITTED),
        (Status.CANCELLED, Status.PAID),
        (Status.ENDORSED, Status.SIGNED),
        (Status.SETTLED_EARLY, Status.PAID),
    ],
)
def test_illegal_transitions_are_refused_in_portuguese(current, target):
    with pytest.raises(DomainError, match="Não é possível passar de"):
        check_transition(current, target, "new", "motivo")


def test_terminal_statuses_have_no_exit():
    for status in TERMINAL:
        assert allowed_next(status, "new") == []


def test_portability_track_only_for_portability():
    with pytest.raises(DomainError, match="só existe para propostas de portabilidade"):
        check_transition(Status.SIGNED, Status.AWAITING_CIP, "new", None)
    check_transition(Status.SIGNED, Status.AWAITING_CIP, "portability", None)
    assert Status.AWAITING_CIP not in allowed_next(Status.SIGNED, "new")
    assert Status.AWAITING_CIP in allowed_next(Status.SIGNED, "portability")


def test_reason_required_for_negative_moves():
    with pytest.raises(DomainError, match="Informe o motivo") as info:
        check_transition(Status.SUBMITTED, Status.CANCELLED, "new", "  ")
    assert info.value.field == "reason"
    check_transition(Status.SUBMITTED, Status.CANCELLED, "new", "Cliente desistiu")


def test_same_status_is_refused():
    with pytest.raises(DomainError, match="já está em"):
        check_transition(Status.PAID, Status.PAID, "new", None)


def test_happy_path_from_submission_to_payment():
    path = [
        Status.SUBMITTED,
        Status.WAITING_SIGNATURE,
        Status.SIGNED,
        Status.UNDER_ANALYSIS,
        Status.AWAITING_ENDORSEMENT,
        Status.ENDORSED,
        Status.PAID,
    ]
    for current, target in zip(path, path[1:], strict=False):
        assert target in allowed_next(current, "new")
