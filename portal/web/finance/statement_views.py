"""Financeiro · Extratos: every statement, filters and export, drafts for a closed period,
approval (one, or the whole period as a job), payment, disputes and verification."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.commissions import ledger, periods
from portal.commissions.statements import disputes, queries, service, verify
from portal.commissions.statements.models import Statement, StatementState
from portal.commissions.statements.queries import StatementFilter
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.exports import export_response
from portal.web.finance import bp
from portal.web.finance.common import parse_money_field
from portal.web.htmx import render
from portal.web.jobs.helpers import start_job
from portal.web.statement_job import KIND as APPROVE_KIND
from portal.web.statement_pages import ActionForm, detail_page, download, statement_or_404
from portal.web.statement_pdf import render_statement_pdf

VIEW = (Permission.FINANCE, Permission.COMMISSIONS_VIEW)
MANAGE = (Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
EXPORT_HEADERS = [
    "Extrato", "Período", "Beneficiário", "Loja", "Situação", "Lançamentos", "Comissões", "Overrides",
    "Bônus", "Estornos", "Ajustes", "Saldo anterior", "Saldo transferido", "Valor a pagar",
    "Código de verificação", "Aprovado por", "Pago em", "Forma", "Referência",
]  # fmt: skip


def _period(text: str | None) -> str:
    try:
        return ledger.check_period(text or "") if text else ""
    except DomainError:
        return ""


def _filters(args: Any) -> StatementFilter:
    return StatementFilter(
        period=_period(args.get("period")),
        state=(args.get("state") or "")[:10],
        payee=(args.get("payee") or "").strip()[:100],
        store=(args.get("store") or "").strip()[:120],
    )


def _list_page(status: int = 200, error: str | None = None) -> Response:
    filters = _filters(request.args)
    return render(
        "statements/finance_list.html",
        status=status,
        error=error,
        items=queries.list_statements(db.session, current_user, filters),
        filters=filters,
        states=[(s.value, s.label) for s in StatementState],
        periods=queries.periods_with_statements(db.session),
        closed=[p.period for p in periods.periods_list(db.session) if p.state == "closed"],
        stores=queries.stores(db.session),
        form=ActionForm(),
    )


@bp.route("/statements")
@require(*VIEW)
def statements() -> ResponseReturnValue:
    return _list_page()


def _row(s: Statement) -> list[Any]:
    return [
        s.id, s.period, s.payee_name, s.store_name, s.state_label, s.lines_count, s.earned, s.overrides,
        s.bonuses, s.clawbacks, s.adjustments, s.carried_in, s.carried_out, s.payable, s.content_hash,
        s.approved_by_label or "", s.paid_on or "", s.method_label, s.payment_reference or "",
    ]  # fmt: skip


@bp.route("/statements/export.<fmt>")
@require(*VIEW)
def statements_export(fmt: str) -> ResponseReturnValue:
    items = queries.list_statements(db.session, current_user, _filters(request.args), limit=100_000)
    return export_response(fmt, "extratos", EXPORT_HEADERS, (_row(s) for s in items), "Extratos")


@bp.route("/statements/generate", methods=["POST"])
@require(*MANAGE)
def statements_generate() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return _list_page(422, "Sessão expirada: recarregue a página.")
    try:
        period = ledger.check_period(request.form.get("period", ""))
        result = service.generate_drafts(db.session, current_actor(), period)
    except DomainError as failure:
        db.session.rollback()
        return _list_page(422, str(failure))
    flash(result.message, "success")
    return redirect(url_for("finance.statements", period=period), 303)


@bp.route("/statements/approve-period", methods=["POST"])
@require(*MANAGE)
def statements_approve_period() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return _list_page(422, "Sessão expirada: recarregue a página.")
    try:
        period = ledger.check_period(request.form.get("period", ""))
        service.closed_period(db.session, period)
    except DomainError as failure:
        return _list_page(422, str(failure))
    workers = int(current_app.config.get("STATEMENT_WORKERS", 2))
    job = start_job(APPROVE_KIND, period=period, workers=workers)
    return redirect(url_for("jobs.detail", job_id=job.id), 303)


@bp.route("/statements/<int:statement_id>")
@require(Permission.ACCOUNT)
def statement_detail(statement_id: int) -> ResponseReturnValue:
    return detail_page(statement_or_404(statement_id, *VIEW), "finance")


@bp.route("/statements/<int:statement_id>.pdf")
@require(Permission.ACCOUNT)
def statement_pdf(statement_id: int) -> ResponseReturnValue:
    return download(statement_or_404(statement_id, *VIEW))


def _act(statement_id: int, action) -> ResponseReturnValue:
    """Run `action(statement)` for a POST with a valid CSRF token; DomainError → 422."""
    statement = statement_or_404(statement_id, *MANAGE)
    if not ActionForm().validate_on_submit():
        return detail_page(statement, "finance", 422, "Sessão expirada: recarregue a página.")
    try:
        message = action(statement)
    except DomainError as failure:
        db.session.rollback()
        return detail_page(statement_or_404(statement_id, *MANAGE), "finance", 422, str(failure))
    flash(message, "success")
    return redirect(url_for("finance.statement_detail", statement_id=statement_id), 303)


@bp.route("/statements/<int:statement_id>/approve", methods=["POST"])
@require(Permission.ACCOUNT)
def statement_approve(statement_id: int) -> ResponseReturnValue:
    def approve(s: Statement) -> str:
        service.approve(
            db.session, current_actor(), s, render_statement_pdf, current_app.config["STORAGE_DIR"]
        )
        return f"Extrato nº {s.id} aprovado; o PDF foi gerado e guardado."

    return _act(statement_id, approve)


@bp.route("/statements/<int:statement_id>/paid", methods=["POST"])
@require(Permission.ACCOUNT)
def statement_paid(statement_id: int) -> ResponseReturnValue:
    def paid(s: Statement) -> str:
        try:
            on = date.fromisoformat(request.form.get("paid_on", ""))
        except ValueError:
            raise DomainError("Informe a data do pagamento.", field="paid_on") from None
        service.mark_paid(
            db.session,
            current_actor(),
            s,
            paid_on=on,
            method=request.form.get("method", ""),
            reference=request.form.get("reference", ""),
        )
        return f"Pagamento do extrato nº {s.id} registrado."

    return _act(statement_id, paid)


@bp.route("/statements/<int:statement_id>/disputes/<int:dispute_id>", methods=["POST"])
@require(Permission.ACCOUNT)
def statement_dispute_resolve(statement_id: int, dispute_id: int) -> ResponseReturnValue:
    def resolve(s: Statement) -> str:
        dispute = disputes.get_dispute(db.session, s, dispute_id)
        accept = request.form.get("decision") == "accept"
        amount = parse_money_field(request.form.get("amount"), "amount") if accept else None
        disputes.resolve(
            db.session,
            current_actor(),
            dispute,
            accept=accept,
            reason=request.form.get("reason", ""),
            amount=amount,
        )
        return "Contestação aceita: ajuste lançado no período aberto." if accept else "Contestação recusada."

    return _act(statement_id, resolve)


@bp.route("/statements/verify")
@require(*VIEW)
def statements_verify() -> ResponseReturnValue:
    digest = (request.args.get("hash") or "").strip()[:100]
    result = verify.verify(db.session, digest) if digest else None
    return render("statements/verify.html", digest=digest, result=result)
