"""The list's rows formatted in one pass: labels, amount, whole hours and the SLA mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from portal.web.operations.pipeline_rows import list_rows

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def _row(status: str, changed_at: datetime, gross: Decimal | None = Decimal("12345.6")) -> tuple:
    # In LIST_COLUMNS' order: id, version, bank, product, agreement, gross, status,
    # bank status, needs review, status changed at, submitted at, client, agent.
    return (7, 2, "gone", "new", "INSS", gross, status, "EM ANALISE", True, changed_at, NOW, "Maria", "Ana")


def test_rows_come_formatted(app):
    with app.test_request_context():
        late, on_time, no_limit = list_rows(
            [
                _row("pending", NOW - timedelta(hours=49, minutes=40)),
                _row("pending", NOW - timedelta(hours=48)),  # exactly at the limit: not over it
                _row("paid", NOW - timedelta(hours=500), gross=None),
            ],
            {"pending": 48},
            NOW,
        )
    assert (late.id, late.version, late.client, late.agent) == (7, 2, "Maria", "Ana")
    assert (late.bank, late.product, late.status) == (
        "GONE",
        "Empréstimo novo",
        "Pendente",
    )  # removed bank: code
    assert (late.gross, late.hours, late.late) == ("R$ 12.345,60", 50, True)
    assert (on_time.hours, on_time.late) == (48, False)
    assert (no_limit.gross, no_limit.status, no_limit.late) == ("", "Paga", False)
