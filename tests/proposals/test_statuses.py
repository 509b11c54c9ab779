"""The canonical status machine: every allowed move works, illegal ones are refused."""

from __future__ import annotations

import pytest

from portal.core.errors import DomainError
from portal.proposals.statuses import (
    PORTABILITY_TRACK,
    TERMINAL,
    TRANSITIONS,
    Status,
    allowed_next,
    check_transition,
    needs_reason,
)

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_every_allowed_transition_passes(current, target):
    product = "portability" if target in PORTABILITY_TRACK or current in PORTABILITY_TRACK else "new"
    check_transition(current, target, product, "motivo" if needs_reason(target) else None)


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
