"""The commission ledger: filters, keyset pages, per-payee totals, export of exactly what
is filtered, and the manual entry (reason required, confirmed, audited)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.commissions import ledger, manual, periods, queries
from portal.commissions.models import LedgerEntry
from portal.commissions.queries import LedgerFilter
from portal.commissions.types import COMPANY
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.exports import export_response, iter_query
from portal.web.finance import bp
from portal.web.finance.common import (
    KIND_CHOICES,
    bank_choices,
    collaborator_choices,
    company_choice,
    parse_money_field,
)
from portal.web.finance.forms import ManualEntryForm
from portal.web.forms import attach_error
from portal.web.htmx import render

EXPORT_HEADERS = [
    "Lançamento", "Período", "Competência", "Contrato", "Proposta", "Banco", "Beneficiário", "Nome",
    "Tipo", "Base", "Percentual", "Valor", "Explicação", "Origem", "Motivo", "Autor", "Em",
]  # fmt: skip


def filters_from(args: Any) -> LedgerFilter:
    """LedgerFilter from the query string; unknown values are ignored, never trusted."""
    period = (args.get("period") or "").strip()
    try:
        period = ledger.check_period(period) if period else ""
    except DomainError:
        period = ""
    payee = (args.get("payee") or "").strip()
    kinds = {code for code, _ in KIND_CHOICES}
    return LedgerFilter(
        period=period,
        payee=COMPANY if payee == COMPANY else "",
        collaborator_id=parse_int(payee, max_value=999_999_999),
        bank=(args.get("bank") or "").strip()[:20],
        kind=args.get("kind", "") if args.get("kind") in kinds else "",
        contract=(args.get("contract") or "").strip()[:60],
    )


@bp.route("/ledger")
@bp.route("/commissions/ledger")  # the link a finished recalculation job points to
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def ledger_page() -> Response:
    filters = filters_from(request.args)
    page = queries.ledger_page(db.session, current_user, filters, request.args.get("after"))
    totals = queries.ledger_totals(db.session, current_user, filters)
    return render(
        "finance/ledger.html",
        block="results",
        page=page,
        totals=totals,
        grand_total=sum((t[2] for t in totals), Decimal("0.00")),
        filters=filters,
        periods=[p.period for p in periods.periods_list(db.session)],
        payees=[company_choice(), *collaborator_choices()],
        banks=bank_choices(),
        kinds=KIND_CHOICES,
        payee_value=request.args.get("payee", ""),
    )


def _row(e: LedgerEntry) -> list[Any]:
    return [
        e.id, e.posting_period, e.competence, e.contract, e.proposal_id, e.bank_code, e.payee,
        e.payee_name or "", e.kind_label, e.base, e.percent, e.amount, e.explanation, e.source_label,
        e.reason or "", e.author_label, e.created_at,
    ]  # fmt: skip


@bp.route("/ledger/export.<fmt>")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def ledger_export(fmt: str) -> Response:
    stmt = queries.ledger_query(db.session, current_user, filters_from(request.args))
    rows = (_row(e) for e in iter_query(stmt, LedgerEntry.id))
    return export_response(fmt, "razao-comissoes", EXPORT_HEADERS, rows, "Razão")


def _manual_form() -> ManualEntryForm:
    form = ManualEntryForm()
    form.payee.choices = [company_choice(), *collaborator_choices()]
    form.bank_code.choices = [("", "—"), *bank_choices()]
    return form


@bp.route("/ledger/manual", methods=["GET", "POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def ledger_manual() -> Response:
    """Two steps: the filled form is shown back for confirmation; only the confirmed
    post writes. Reason and amount are checked at both steps."""
    form = _manual_form()
    error, preview = None, None
    if request.method == "POST" and form.validate_on_submit():
        try:
            amount = parse_money_field(form.amount.data, "amount")
            competence = ledger.check_period(form.competence.data)
            collaborator_id = None if form.payee.data == COMPANY else parse_int(form.payee.data)
            if form.payee.data != COMPANY and collaborator_id is None:
                raise DomainError("Escolha o beneficiário.", field="payee")
            if form.bank_code.data and form.bank_code.data not in dict(bank_choices()):
                raise DomainError("Banco desconhecido.", field="bank_code")
            if form.confirmed.data == "1":
                entry = manual.post_manual(
                    db.session,
                    current_actor(),
                    competence=competence,
                    amount=amount,
                    reason=form.reason.data,
                    collaborator_id=collaborator_id,
                    contract=form.contract.data or "",
                    bank_code=form.bank_code.data or "",
                )
                flash(
                    f"Lançamento manual nº {entry.id} registrado no período {entry.posting_period}.",
                    "success",
                )
                return redirect(url_for("finance.ledger_page", period=entry.posting_period), 303)
            preview = {
                "payee": dict(form.payee.choices).get(form.payee.data, form.payee.data),
                "amount": amount,
                "competence": competence,
            }
            form.confirmed.data = "1"
            return render("finance/ledger_manual.html", form=form, preview=preview, error=None)
        except DomainError as failure:
            db.session.rollback()
            error = attach_error(form, failure)
    form.confirmed.data = ""
    status = 422 if request.method == "POST" else 200
    return render("finance/ledger_manual.html", status=status, form=form, preview=None, error=error)
