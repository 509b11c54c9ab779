"""Plans and overrides never start inside a closed period (the past is not re-priced)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.commissions import plans
from portal.commissions.models import CommissionPeriod
from portal.core.errors import DomainError
from tests.commissions.helpers import FINANCE


def test_override_cannot_start_in_a_closed_period(db):
    db.add(CommissionPeriod(period="2026-03", state="closed"))
    db.flush()
    with pytest.raises(DomainError, match="O período 03/2026 já está fechado"):
        plans.set_override_rate(
            db, FINANCE, level="gerente", percent=Decimal("0.20"), valid_from=date(2026, 3, 31)
        )
    rate = plans.set_override_rate(
        db, FINANCE, level="gerente", percent=Decimal("0.20"), valid_from=date(2026, 4, 1)
    )
    assert rate.valid_from == date(2026, 4, 1) and rate.created_by_label == FINANCE.label
