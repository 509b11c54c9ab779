"""Financeiro · Pagamentos: what is payable, paid and late per person and per store, and
the payout batch file (CPF masked; the full one needs pii.export and a reason, audited)."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from portal.commissions.statements import payouts, queries
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.exports import export_response
from portal.web.filters import local_today
from portal.web.finance import bp
from portal.web.finance.statement_views import VIEW, _period
from portal.web.htmx import render
from portal.web.statement_pages import ActionForm


@bp.route("/statements/payouts")
@require(*VIEW)
def payouts_page() -> ResponseReturnValue:
    period = _period(request.args.get("period"))
    late_days = parse_int(request.args.get("late_days", ""), max_value=365) or payouts.LATE_DAYS
    return render(
        "statements/payouts.html",
        data=payouts.monitoring(db.session, local_today(), late_days, period),
        period=period,
        late_days=late_days,
        periods=queries.periods_with_statements(db.session),
    )


@bp.route("/statements/payouts/export.csv")
@require(*VIEW)
def payouts_export() -> ResponseReturnValue:
    period = _period(request.args.get("period"))
    rows = payouts.batch_rows(db.session, period, full=False)
    return export_response("csv", "lote-pagamentos", payouts.BATCH_HEADERS, rows, "Pagamentos")


@bp.route("/statements/payouts/export-full", methods=["GET", "POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW, Permission.PII_EXPORT)
def payouts_export_full() -> ResponseReturnValue:
    """Full CPFs for the bank or payroll: only with a reason, audited."""
    form = ActionForm()
    period = _period(request.values.get("period"))
    error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            error = "Sessão expirada: recarregue a página."
        else:
            try:
                payouts.record_full_batch(db.session, current_actor(), request.form.get("reason", ""), period)
            except DomainError as failure:
                error = str(failure)
            else:
                rows = payouts.batch_rows(db.session, period, full=True)
                return export_response(
                    "csv", "lote-pagamentos-dados-completos", payouts.BATCH_HEADERS, rows, "Pagamentos"
                )
    status = 422 if request.method == "POST" else 200
    return render("statements/payouts_full.html", status=status, form=form, period=period, error=error)
