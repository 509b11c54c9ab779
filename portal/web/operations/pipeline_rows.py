"""The proposals list's rows formatted in one pass (operations and sales): the template
only places ready values, instead of calling half a dozen helpers and filters per row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

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
    gross: str  # "R$ 1.234,56" (the template puts it in its `money` span)
    status: str
    needs_review: bool
    bank_status: str | None
    hours: int  # whole hours in the current status
    late: bool  # over the status's SLA limit
    submitted_at: datetime


def list_rows(items: Iterable[Any], limits: dict[str, int], now: datetime | None = None) -> list[ListRow]:
    """Rows of LIST_COLUMNS (portal.proposals.listing) as ListRows, with one clock reading
    for every row's hours and SLA mark."""
    now = now or utcnow()
    banks = registered_banks()
    rows = []
    # Unpacked in LIST_COLUMNS' order: a Row's attribute access costs ~10× a tuple's.
    for (
        id_,
        version,
        bank_code,
        product,
        agreement,
        gross,
        status,
        bank_status,
        needs_review,
        changed_at,
        submitted_at,
        client,
        agent,
    ) in items:
        seconds = (now - changed_at).total_seconds()
        limit = limits.get(status) or 0
        rows.append(
            ListRow(
                id_,
                version,
                client,
                agent,
                bank_code,
                banks.get(bank_code) or bank_code.upper(),
                PRODUCT_TEXT.get(product, ""),
                agreement,
                "" if gross is None else formats.money(Decimal(gross)),
                STATUS_TEXT.get(status, ""),
                needs_review,
                bank_status,
                round(seconds / 3600),
                0 < limit * 3600 < seconds,
                submitted_at,
            )
        )
    return rows
