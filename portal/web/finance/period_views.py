"""Commission periods: the list with closed periods' snapshot totals, the close page
(checklist, confirmation; a second closer is told in place) and the recalculation job."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.commissions import overview, periods, recalc
from portal.commissions.ledger import check_period
from portal.commissions.models import PeriodState
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.finance import bp
from portal.web.finance.common import error_status
from portal.web.finance.forms import ConfirmForm, RecalcForm
from portal.web.htmx import hx_redirect, is_htmx, render
from portal.web.jobs.helpers import start_job


@bp.route("/periods")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def periods_page() -> Response:
    items = periods.periods_list(db.session)
    closed = [p.id for p in items if p.state == PeriodState.CLOSED.value]
    return render(
        "finance/periods.html",
        items=items,
        snapshots=overview.snapshots_by_period(db.session, closed),
        recalc_form=RecalcForm(formdata=None),
    )


def _close_page(period: str, status: int = 200, error: str | None = None) -> Response:
    return render(
        "finance/period_close.html",
        status=status,
        period=period,
        record=periods.get_period(db.session, period),
        checklist=periods.checklist(db.session, period),
        form=ConfirmForm(formdata=None),
        error=error,
    )


@bp.route("/periods/<period>/close", methods=["GET"])
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def period_close_page(period: str) -> Response:
    return _close_page(check_period(period))


@bp.route("/periods/<period>/close", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def period_close(period: str) -> Response:
    period = check_period(period)
    if not ConfirmForm().validate_on_submit():
        return _close_page(period, 400, "Formulário expirado: recarregue a página e tente de novo.")
    try:
        result = periods.close_period(db.session, current_actor(), period)
    except DomainError as failure:
        db.session.rollback()
        return _close_page(period, error_status(failure), failure.message)
    flash(
        f"Período {period} fechado: {result.payees} beneficiário(s), "
        f"{result.target_lines} lançamento(s) de meta, {result.carried} saldo(s) negativo(s) transferido(s).",
        "success",
    )
    return redirect(url_for("finance.periods_page"), 303)


@bp.route("/periods/<period>/recalc", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def period_recalc(period: str) -> Response:
    period = check_period(period)
    form = RecalcForm()
    if not form.validate_on_submit():
        raise DomainError("Motivo inválido (máximo de 500 caracteres).")
    job = start_job(recalc.KIND, period=period, reason=form.reason.data or "")
    target = url_for("jobs.detail", job_id=job.id)
    return hx_redirect(target) if is_htmx() else redirect(target, 303)
