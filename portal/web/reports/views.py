"""Relatórios page: list and download stored reports (downloads audited), generate the
monthly workbook as a job, save a list's export as a recurring report, pause, resume and
delete one's own recurring reports."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.commissions.ledger import check_period
from portal.core.errors import DomainError
from portal.extensions import db
from portal.insights import reports
from portal.insights.report_models import Frequency, ReportFile, ReportKind
from portal.insights.workbook_job import GENERATE_KIND
from portal.people.permissions import Permission
from portal.web.access import current_actor, policy_of, require
from portal.web.exports import export_response, iter_query
from portal.web.htmx import render
from portal.web.jobs.helpers import start_job
from portal.web.reports import bp
from portal.web.reports.lists import RECURRING_LISTS, clean_query

EXPORT_HEADERS = [
    "Nº",
    "Relatório",
    "Tipo",
    "Período",
    "Arquivo",
    "Tamanho (bytes)",
    "Gerado por",
    "Gerado em",
]


class ActionForm(FlaskForm):
    """CSRF only: fields are read and checked by the services."""


def _kind_filter() -> str:
    kind = request.args.get("kind", "")
    return kind if kind in {k.value for k in ReportKind} else ""


def _files_query():
    stmt = reports.reports_for(db.session, current_user)
    kind = _kind_filter()
    return stmt.where(ReportFile.kind == kind) if kind else stmt


def _periods() -> list[str]:
    today = reports.local_today()
    out, year, month = [], today.year, today.month
    for _ in range(12):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def _index(status: int = 200, error: str | None = None) -> Response:
    from portal.core.pagination import keyset_page

    page = keyset_page(
        db.session,
        _files_query().order_by(None),
        [ReportFile.id],
        request.args.get("after"),
        50,
        descending=True,
    )
    company = reports.sees_company_reports(db.session, current_user)
    return render(
        "reports/index.html",
        block="results",
        status=status,
        error=error,
        page=page,
        kinds=[(k.value, k.label) for k in ReportKind],
        kind=_kind_filter(),
        recurring=reports.recurring_for(db.session, current_user),
        lists=RECURRING_LISTS,
        company=company,
        periods=_periods() if company else [],
        default_period=reports.previous_period(reports.local_today()),
        form=ActionForm(),
    )


@bp.route("/")
@require(Permission.ACCOUNT)
def index() -> ResponseReturnValue:
    return _index()


@bp.route("/export.<fmt>")
@require(Permission.ACCOUNT)
def export(fmt: str) -> ResponseReturnValue:
    rows = (
        [r.id, r.title, r.kind_label, r.period or "", r.filename, r.size, r.created_by_label, r.created_at]
        for r in iter_query(_files_query().order_by(None), ReportFile.id)
    )
    return export_response(fmt, "relatorios", EXPORT_HEADERS, rows, "Relatórios")


@bp.route("/workbook", methods=["POST"])
@require(Permission.REPORTS_COMPANY)
def workbook_generate() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return _index(422, "Sessão expirada: recarregue a página.")
    if not reports.sees_company_reports(db.session, current_user):
        return _index(403, "O relatório mensal é da empresa inteira; seu acesso é limitado à sua unidade.")
    try:
        period = check_period(request.form.get("period", ""))
    except DomainError as error:
        return _index(422, error.message)
    job = start_job(GENERATE_KIND, period=period)
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/<int:report_id>/download")
@require(Permission.ACCOUNT)
def download(report_id: int) -> ResponseReturnValue:
    report = reports.get_report_for(db.session, current_user, report_id)
    data = reports.read_report(current_app.config["STORAGE_DIR"], report)
    reports.record_download(db.session, current_actor(), report)
    response = Response(data, mimetype=report.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_run(list_kind: str) -> bool:
    view = current_app.view_functions.get(list_kind)
    policy = policy_of(view) if view is not None else None
    if not policy or list_kind not in RECURRING_LISTS:
        return False
    needed = [p for p in policy if isinstance(p, Permission)]
    if policy[0] == "any":  # `require_any`: one of them is enough, as for the view itself
        return any(current_user.can(p) for p in needed)
    return all(current_user.can(p) for p in needed)


def _new_page(
    list_kind: str, query: str, status: int = 200, error: str | None = None, **values: Any
) -> Response:
    return render(
        "reports/recurring_new.html",
        status=status,
        error=error,
        list_kind=list_kind,
        list_label=RECURRING_LISTS[list_kind],
        query=query,
        frequencies=[(f.value, f.label) for f in Frequency],
        values=values,
        form=ActionForm(),
    )


@bp.route("/recurring/new")
@require(Permission.ACCOUNT)
def recurring_new() -> ResponseReturnValue:
    list_kind = request.args.get("list", "")
    if not _may_run(list_kind):
        return _index(403, "Esta lista não pode ser salva como relatório recorrente.")
    return _new_page(list_kind, clean_query(request.args.get("q", "")))


@bp.route("/recurring", methods=["POST"])
@require(Permission.ACCOUNT)
def recurring_create() -> ResponseReturnValue:
    list_kind = request.form.get("list_kind", "")
    if not _may_run(list_kind):
        return _index(403, "Esta lista não pode ser salva como relatório recorrente.")
    query = clean_query(request.form.get("query", ""))
    values = {k: request.form.get(k, "") for k in ("name", "frequency", "fmt")}
    if not ActionForm().validate_on_submit():
        return _new_page(list_kind, query, 422, "Sessão expirada: recarregue a página.", **values)
    try:
        reports.create_recurring(
            db.session, current_actor(), current_user, list_kind=list_kind, query=query, **values
        )
    except DomainError as error:
        return _new_page(list_kind, query, 422, error.message, **values)
    flash("Relatório recorrente salvo: os arquivos aparecerão nesta página.", "success")
    return redirect(url_for("reports.index"))


def _act(definition_id: int, action: str) -> ResponseReturnValue:
    definition = reports.get_recurring_for(db.session, current_user, definition_id)
    if not ActionForm().validate_on_submit():
        return _index(422, "Sessão expirada: recarregue a página.")
    if action == "delete":
        if request.form.get("confirm") != "1":
            return _index(422, "Confirme a exclusão do relatório recorrente.")
        reports.delete_recurring(db.session, current_actor(), definition)
        flash("Relatório recorrente excluído.", "success")
    else:
        reports.set_active(db.session, current_actor(), definition, action == "resume")
        flash(
            "Relatório recorrente retomado." if action == "resume" else "Relatório recorrente pausado.",
            "success",
        )
    return redirect(url_for("reports.index"))


@bp.route("/recurring/<int:definition_id>/pause", methods=["POST"])
@require(Permission.ACCOUNT)
def recurring_pause(definition_id: int) -> ResponseReturnValue:
    return _act(definition_id, "pause")


@bp.route("/recurring/<int:definition_id>/resume", methods=["POST"])
@require(Permission.ACCOUNT)
def recurring_resume(definition_id: int) -> ResponseReturnValue:
    return _act(definition_id, "resume")


@bp.route("/recurring/<int:definition_id>/delete", methods=["POST"])
@require(Permission.ACCOUNT)
def recurring_delete(definition_id: int) -> ResponseReturnValue:
    return _act(definition_id, "delete")
