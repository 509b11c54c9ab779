"""SLA limits are effective-dated: a limit scheduled for tomorrow does not change today's
breaches and applies from its day (fake clock on the SLA module)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.proposals import sla
from tests import factories

OPS = Actor(id=None, label="operador@teste")


def _clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(sla, "utcnow", lambda: moment)


def test_limit_scheduled_for_tomorrow_applies_only_from_tomorrow(db, org, monkeypatch):
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 09:00 in Brasília, 10/03
    _clock(monkeypatch, now)
    sla.save_limits(db, OPS, {"submitted": 24})
    proposal = factories.proposal(db, org.client)
    proposal.status_changed_at = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)  # 25 h before `now`
    db.flush()
    sla.schedule_limit(db, OPS, "submitted", 48, date(2026, 3, 11), sla.local_today())
    assert sla.limits(db)["submitted"] == 24
    assert sla.is_breached(proposal, sla.limits(db), now)
    tomorrow = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # 07:00 on 11/03: 47 h in status
    _clock(monkeypatch, tomorrow)
    assert sla.limits(db)["submitted"] == 48
    assert not sla.is_breached(proposal, sla.limits(db), tomorrow)
    # 02:30 UTC on 11/03 is still 23:30 on 10/03 in Brasília: the old limit
    assert (
        sla.limits(db, datetime(2026, 3, 11, 2, 30, tzinfo=UTC).astimezone(sla.TIMEZONE).date())["submitted"]
        == 24
    )
    latest = sla.limit_history(db)[0]
    assert (latest.scope, latest.previous_value, latest.value, latest.valid_from) == (
        "submitted",
        "24",
        "48",
        date(2026, 3, 11),
    )


def test_scheduling_in_the_past_is_refused(db, monkeypatch):
    _clock(monkeypatch, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    with pytest.raises(DomainError, match="passado não é alterado"):
        sla.schedule_limit(db, OPS, "submitted", 48, date(2026, 3, 9), sla.local_today())
    with pytest.raises(DomainError, match="Status sem SLA"):
        sla.schedule_limit(db, OPS, "paid", 48, date(2026, 3, 12), sla.local_today())


def test_saving_today_over_a_scheduled_change_names_the_status(db, monkeypatch):
    _clock(monkeypatch, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    sla.schedule_limit(db, OPS, "submitted", 48, date(2026, 3, 20), sla.local_today())
    with pytest.raises(DomainError, match="agendado a partir de 20/03/2026") as caught:
        sla.save_limits(db, OPS, {"submitted": 12})
    assert caught.value.field == "submitted"
