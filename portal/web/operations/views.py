"""Operações: the home page opens on the pipeline's attention figures (needs review, SLA
breaches, overdue pendencies per owner), filtered by bank; the overdue pendencies list
behind the figure; exports of both tables."""

from __future__ import annotations

from datetime import date

from flask import Response, request
from flask_login import current_user

from portal.core.db import utcnow
from portal.core.ints import parse_int
from portal.core.pagination import keyset_page
from portal.extensions import db
from portal.insights import homes
from portal.people.permissions import Permission
from portal.proposals import sla
from portal.proposals.pipeline_models import Pendency, PendencyOwner
from portal.proposals.statuses import LABELS
from portal.web.access import require
from portal.web.bank_names import registered_banks
from portal.web.exports import export_response, iter_query
from portal.web.filters import local_today
from portal.web.htmx import render
from portal.web.operations import bp

VIEW = (Permission.OPERATIONS, Permission.PROPOSALS_VIEW)
STATUS_LABELS: dict[str, str] = {status.value: label for status, label in LABELS.items()}


def today() -> date:
    """The day "overdue" counts from (tests set it)."""
    return local_today()


def _bank() -> str:
    bank = request.args.get("bank", "")
    return bank if bank in registered_banks() else ""


def _numbers() -> homes.OperationsHome:
    return homes.operations_home(
        db.session, current_user, today(), utcnow(), sla.limits(db.session), bank=_bank()
    )


@bp.route("/")
@require(Permission.OPERATIONS)
def index() -> Response:
    numbers = _numbers() if current_user.can(Permission.PROPOSALS_VIEW) else None
    return render(
        "operations/index.html",
        block="home",
        numbers=numbers,
        banks=registered_banks(),
        bank=_bank(),
        status_labels=STATUS_LABELS,
    )


@bp.route("/home/export.<fmt>")
@require(*VIEW)
def home_export(fmt: str) -> Response:
    """The home's two tables in one sheet: breaches per status, overdue pendencies per owner."""
    numbers = _numbers()
    rows: list[list[object]] = [
        ["SLA estourado", STATUS_LABELS.get(status, status), count]
        for status, count in numbers.breached_by_status
    ]
    rows += [["Pendências vencidas", row.name, row.count] for row in numbers.overdue_by_owner]
    return export_response(fmt, "operacoes-resumo", ["Indicador", "Grupo", "Quantidade"], rows, "Resumo")


def _pendency_filters() -> dict[str, object]:
    owner = request.args.get("owner", "")
    return {
        "bank": _bank(),
        "owner_kind": owner if owner in {o.value for o in PendencyOwner} else "",
        "agent_id": parse_int((request.args.get("agent") or "").strip(), max_value=999_999_999),
    }


@bp.route("/pendencies/overdue")
@require(*VIEW)
def overdue_pendencies() -> Response:
    filters = _pendency_filters()
    stmt = homes.overdue_pendencies_query(db.session, current_user, today(), **filters)  # type: ignore[arg-type]
    page = keyset_page(db.session, stmt, [Pendency.id], request.args.get("after"), 50)
    return render(
        "operations/overdue_pendencies.html",
        block="results",
        page=page,
        filters=filters,
        banks=registered_banks(),
        owners=PendencyOwner,
        today=today(),
    )


@bp.route("/pendencies/overdue/export.<fmt>")
@require(*VIEW)
def overdue_pendencies_export(fmt: str) -> Response:
    stmt = homes.overdue_pendencies_query(db.session, current_user, today(), **_pendency_filters())  # type: ignore[arg-type]
    banks = registered_banks()
    rows = (
        [
            p.proposal_id,
            banks.get(p.proposal.bank_code, p.proposal.bank_code.upper()),
            p.proposal.agent.name,
            p.type.name,
            PendencyOwner(p.owner_kind).label,
            p.due_on,
            p.opened_at,
            p.description or "",
        ]
        for p in iter_query(stmt, Pendency.id)
    )
    headers = [
        "Proposta", "Banco", "Corretor", "Pendência", "Responsável", "Vence em", "Aberta em", "Descrição",
    ]  # fmt: skip
    return export_response(fmt, "pendencias-vencidas", headers, rows, "Pendências vencidas")
