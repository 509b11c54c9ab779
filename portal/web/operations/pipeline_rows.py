"""The proposals list's rows formatted in one pass (operations and sales): the template
only places ready values, instead of calling half a dozen helpers and filters per row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from markupsafe import Markup

from portal.core import formats
from portal.core.db import utcnow
from portal.proposals.models import Product
from portal.proposals.statuses import LABELS
from portal.web.bank_names import registered_banks

STATUS_TEXT = {s.value: label for s, label in LABELS.items()}
PRODUCT_TEXT = {p.value: p.label for p in Product}


class ListRow(NamedTuple):
    """What one row of the list shows, already in pt-BR."""

    id: int
    version: int
    client: str
    agent: str
    bank_code: str
    bank: str
    product: str
    agreement: str
    gross: Markup  # the amount in its "money" span
    status: str
    needs_review: bool
    bank_status: str | None
    hours: int  # whole hours in the current status
    late: bool  # over the status's SLA limit
    submitted_at: datetime


def _money(value: Decimal | None) -> Markup:
    if value is None:
        return Markup("")
    # Same markup as the `brl` filter; `%` escapes the formatted amount.
    return Markup('<span class="money">%s</span>') % formats.money(Decimal(value))


def list_rows(items: Iterable[Any], limits: dict[str, int], now: datetime | None = None) -> list[ListRow]:
    """Rows of LIST_COLUMNS (portal.proposals.listing) as ListRows, with one clock reading
    for every row's hours and SLA mark."""
    now = now or utcnow()
    banks, products = registered_banks(), PRODUCT_TEXT
    rows = []
    for p in items:
        seconds = (now - p.status_changed_at).total_seconds()
        limit = limits.get(p.status) or 0
        rows.append(
            ListRow(
                p.id,
                p.version,
                p.client_name,
                p.agent_name,
                p.bank_code,
                banks.get(p.bank_code) or p.bank_code.upper(),
                products.get(p.product, ""),
                p.agreement,
                _money(p.gross_amount),
                STATUS_TEXT.get(p.status, ""),
                p.needs_review,
                p.bank_status,
                round(seconds / 3600),
                0 < limit * 3600 < seconds,
                p.submitted_at,
            )
        )
    return rows
