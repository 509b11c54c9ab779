"""Vendas · Extratos: approved statements in the user's scope (agent → own, supervisor →
team), the stored PDF, and disputes on lines. Anything else is a 404."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.commissions.statements import disputes, queries
from portal.commissions.statements.models import StatementState
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.exports import export_response
from portal.web.htmx import render
from portal.web.sales import bp
from portal.web.statement_pages import ActionForm, detail_page, download, statement_or_404


def _visible() -> list:
    items = queries.list_statements(db.session, current_user)
    return [s for s in items if s.state != StatementState.DRAFT.value]


@bp.route("/statements")
@require(Permission.SALES)
def statements() -> ResponseReturnValue:
    return render("statements/sales_list.html", items=_visible())


@bp.route("/statements/export.<fmt>")
@require(Permission.SALES)
def statements_export(fmt: str) -> ResponseReturnValue:
    """The approved statements the list shows (the sales home's "last statements" too)."""
    rows = ([s.period, s.payee_name, s.state_label, s.payable, s.paid_on or ""] for s in _visible())
    headers = ["Período", "Beneficiário", "Situação", "Valor a pagar", "Pago em"]
    return export_response(fmt, "extratos", headers, rows, "Extratos")


@bp.route("/statements/<int:statement_id>")
@require(Permission.ACCOUNT)
def statement_detail(statement_id: int) -> ResponseReturnValue:
    return detail_page(statement_or_404(statement_id, Permission.SALES, approved_only=True), "sales")


@bp.route("/statements/<int:statement_id>.pdf")
@require(Permission.ACCOUNT)
def statement_pdf(statement_id: int) -> ResponseReturnValue:
    return download(statement_or_404(statement_id, Permission.SALES, approved_only=True))


@bp.route("/statements/<int:statement_id>/disputes", methods=["POST"])
@require(Permission.ACCOUNT)
def statement_dispute(statement_id: int) -> ResponseReturnValue:
    statement = statement_or_404(statement_id, Permission.SALES, approved_only=True)
    if not ActionForm().validate_on_submit():
        return detail_page(statement, "sales", 422, "Sessão expirada: recarregue a página e tente de novo.")
    line_id = parse_int(request.form.get("line_id", ""), max_value=2**62)
    try:
        disputes.open_dispute(
            db.session, current_actor(), statement, line_id or 0, request.form.get("comment", "")
        )
    except DomainError as failure:
        db.session.rollback()
        return detail_page(statement, "sales", 422, str(failure))
    flash("Contestação registrada: o financeiro vai analisar.", "success")
    return redirect(url_for("sales.statement_detail", statement_id=statement.id), 303)
