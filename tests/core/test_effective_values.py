"""Effective-dated values: scheduled from today on, never in the past, with history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core import effective
from portal.core.audit import Actor, AuditEntry
from portal.core.errors import DomainError

ANA = Actor(id=7, label="ana@teste.athenas")
BIA = Actor(id=8, label="bia@teste.athenas")
TODAY = date(2026, 3, 10)


def _schedule(db, value, valid_from, actor=ANA, today=TODAY, baseline=None):
    return effective.schedule(
        db,
        actor,
        key="k",
        scope="s",
        value=None if value is None else Decimal(value),
        valid_from=valid_from,
        today=today,
        baseline=None if baseline is None else Decimal(baseline),
    )


def test_a_future_value_leaves_today_alone_and_applies_from_its_date(db):
    _schedule(db, "24", TODAY, baseline="12")
    _schedule(db, "48", date(2026, 4, 1))
    assert effective.values_on(db, "k", TODAY) == {"s": Decimal("24")}
    assert effective.values_on(db, "k", date(2026, 3, 31)) == {"s": Decimal("24")}
    assert effective.values_on(db, "k", date(2026, 4, 1)) == {"s": Decimal("48")}
    assert effective.values_on(db, "k", date(2026, 3, 9)) == {}  # before any version: the caller's base
    newest, first = effective.history(db, "k", "s")
    assert (first.previous_value, first.value, first.last_day) == ("12", "24", date(2026, 3, 31))
    assert (newest.previous_value, newest.value, newest.valid_to) == ("24", "48", None)
    assert newest.created_by_label == "ana@teste.athenas"


def test_the_past_is_never_edited(db):
    with pytest.raises(DomainError, match="hoje \\(10/03/2026\\) ou depois"):
        _schedule(db, "30", date(2026, 3, 9))
    _schedule(db, "48", date(2026, 4, 1))
    with pytest.raises(DomainError, match="agendado a partir de 01/04/2026"):
        _schedule(db, "36", date(2026, 3, 20))
    assert effective.history(db, "k", "s")[0].value == "48"


def test_rescheduling_the_same_day_supersedes_and_keeps_who_proposed_what(db):
    _schedule(db, "24", TODAY, baseline="12")
    _schedule(db, "48", date(2026, 4, 1), actor=ANA)
    _schedule(db, "36", date(2026, 4, 1), actor=BIA)
    assert effective.values_on(db, "k", date(2026, 4, 1)) == {"s": Decimal("36")}
    latest, superseded, first = effective.history(db, "k", "s")
    assert (latest.previous_value, latest.value, latest.created_by_label) == ("24", "36", "bia@teste.athenas")
    assert superseded.superseded and superseded.value == "48" and not first.superseded
    removal = _schedule(db, None, date(2026, 5, 1))  # "no value" is a version too
    assert removal.replaced == Decimal("36")
    assert effective.values_on(db, "k", date(2026, 5, 1)) == {"s": None}
    audited = db.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "effective_value.scheduled")
    ).all()
    assert audited[-1] == {"from": "36", "to": None, "valid_from": "2026-05-01"}
