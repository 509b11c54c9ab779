"""Financeiro: landing page, a contract's commission view and the "sem tabela" list."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.commissions import overview, queries
from portal.commissions.contracts import contract_number
from portal.commissions.models import TableRowRecord, TableVersion
from portal.commissions.resolution import bank_name
from portal.extensions import db
from portal.insights import homes
from portal.people.permissions import Permission
from portal.proposals.queries import get_proposal_for
from portal.web.access import require
from portal.web.bank_names import registered_banks
from portal.web.exports import export_response
from portal.web.filters import local_today
from portal.web.finance import bp
from portal.web.htmx import render

PROBLEMS = {"sem_tabela": "Sem tabela", "tabela_ambigua": "Tabela ambígua"}


def today() -> date:
    """The day the period choices, aging and late payouts count from (tests set it)."""
    return local_today()


def _home_filters(day: date, open_period: str | None) -> tuple[str, str, list[str]]:
    """(period, bank, offered months): an offered month or the open period (else this month)."""
    months = homes.recent_months(day)
    if open_period and open_period not in months:
        months.append(open_period)
    period = request.args.get("period", "")
    if period not in months:
        period = open_period or months[0]
    bank = request.args.get("bank", "")
    return period, (bank if bank in registered_banks() else ""), months


@bp.route("/")
@require(Permission.FINANCE)
def index() -> Response:
    if not current_user.can(Permission.COMMISSIONS_VIEW):
        return render("finance/index.html", numbers=None, home=None)
    numbers = overview.overview(db.session)
    day = today()
    period, bank, months = _home_filters(day, numbers.open_period)
    return render(
        "finance/index.html",
        block="home",
        numbers=numbers,
        home=homes.finance_home(db.session, period, day, bank),
        months=months,
        period=period,
        banks=registered_banks(),
        bank=bank,
    )


@bp.route("/home/export.<fmt>")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def home_export(fmt: str) -> Response:
    """The home's table: reconciliation per bank of the chosen period (and its total)."""
    day = today()
    period, bank, _ = _home_filters(day, overview.open_period(db.session))
    home = homes.finance_home(db.session, period, day, bank)
    names = registered_banks()
    rows = [
        [period, names.get(b.bank, b.bank.upper()), b.status, b.expected, b.reported, b.received,
         b.open_items, b.open_difference, b.missing]
        for b in home.banks
    ]  # fmt: skip
    headers = [
        "Período", "Banco", "Situação", "Esperado", "Reportado", "Recebido", "Itens em aberto",
        "Diferença em aberto", "Não reportados",
    ]  # fmt: skip
    return export_response(fmt, "financeiro-conciliacao", headers, rows, "Conciliação")


@bp.route("/contracts/<int:proposal_id>")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def contract(proposal_id: int) -> Response:
    """Resolution (version and row used, or why none) and every ledger line explained."""
    proposal = get_proposal_for(db.session, current_user, proposal_id)
    entries = queries.contract_entries(db.session, current_user, proposal_id)
    ref = queries.frozen_ref(db.session, proposal_id)
    version = db.session.get(TableVersion, ref.table_version_id) if ref and ref.table_version_id else None
    row = db.session.get(TableRowRecord, ref.table_row_id) if ref and ref.table_row_id else None
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    names: dict[str, str] = {}
    for entry in entries:
        totals[entry.payee] += entry.amount
        names[entry.payee] = entry.payee_name or ("Empresa" if entry.payee == "empresa" else entry.payee)
    return render(
        "finance/contract.html",
        proposal=proposal,
        number=contract_number(proposal),
        entries=entries,
        ref=ref,
        version=version,
        row=row,
        totals=sorted(totals.items()),
        names=names,
        problems=PROBLEMS,
        bank_name=bank_name,
    )


def _problem_label(problem: str | None) -> str:
    """The export's words for a stored problem code (unknown codes as they are)."""
    return "" if problem is None else PROBLEMS.get(problem, problem)


def _problem_filter() -> str:
    value = request.args.get("problem", "")
    return value if value in PROBLEMS else ""


@bp.route("/no-table")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def no_table() -> Response:
    problem = _problem_filter()
    page = overview.no_table_page(db.session, current_user, problem, request.args.get("after"))
    return render(
        "finance/no_table.html",
        block="results",
        page=page,
        problem=problem,
        problems=PROBLEMS,
        contract_number=contract_number,
        bank_name=bank_name,
    )


@bp.route("/no-table/export.<fmt>")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def no_table_export(fmt: str) -> Response:
    rows = queries.no_table_list(db.session, current_user, _problem_filter(), limit=100_000)
    headers = ["Proposta", "Contrato", "Banco", "Produto", "Convênio", "Pago em", "Problema", "Motivo"]
    cells = (
        [
            p.id,
            contract_number(p),
            bank_name(p.bank_code),
            p.product_label,
            p.agreement,
            p.paid_at,
            _problem_label(ref.problem),
            ref.reason or "",
        ]
        for p, ref in rows
    )
    return export_response(fmt, "sem-tabela", headers, cells, "Sem tabela")
