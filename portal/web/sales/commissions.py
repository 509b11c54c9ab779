"""Vendas · Minhas comissões: the ledger lines the user may see (agent → own, supervisor →
team, through the commissions' scoped queries), totals per period and the export."""

from __future__ import annotations

import re

from flask import Response, request
from flask_login import current_user

from portal.commissions.models import LedgerEntry
from portal.commissions.period_totals import period_totals
from portal.commissions.queries import LedgerFilter, ledger_page, ledger_query, ledger_totals
from portal.commissions.types import LineKind
from portal.core.money import format_percent
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.exports import export_response, iter_query
from portal.web.htmx import render
from portal.web.sales import bp

_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
KINDS = {k.value: k.label for k in LineKind if k not in (LineKind.NO_TABLE, LineKind.AMBIGUOUS)}
EXPORT_HEADERS = (
    "Competência", "Período", "Contrato", "Beneficiário", "Tipo", "Base", "Percentual", "Valor", "Explicação",
)  # fmt: skip


def _filters() -> LedgerFilter:
    """Filters from the query string; anything unexpected is ignored."""
    period = (request.args.get("period") or "").strip()
    kind = request.args.get("kind") or ""
    return LedgerFilter(
        period=period if _PERIOD.fullmatch(period) else "",
        kind=kind if kind in KINDS else "",
    )


@bp.route("/commissions")
@require(Permission.SALES)
def my_commissions() -> Response:
    filters = _filters()
    page = ledger_page(db.session, current_user, filters, request.args.get("after"))
    return render(
        "sales/commissions.html",
        block="results",
        page=page,
        filters=filters,
        kinds=KINDS,
        totals=ledger_totals(db.session, current_user, filters),
        periods=period_totals(db.session, current_user, LedgerFilter(kind=filters.kind)),
    )


def _cells(entry: LedgerEntry) -> list[object]:
    payee = f"{entry.payee_name} ({entry.payee})" if entry.payee_name else entry.payee
    return [
        entry.competence, entry.posting_period, entry.contract, payee, entry.kind_label, entry.base,
        format_percent(entry.percent) if entry.percent is not None else "", entry.amount, entry.explanation,
    ]  # fmt: skip


@bp.route("/commissions/export.<fmt>")
@require(Permission.SALES)
def my_commissions_export(fmt: str) -> Response:
    stmt = ledger_query(db.session, current_user, _filters())
    rows = (_cells(entry) for entry in iter_query(stmt, LedgerEntry.id))
    return export_response(fmt, "minhas-comissoes", EXPORT_HEADERS, rows, "Comissões")
