"""Financeiro · Calculadora: the commission engine over uploaded files (no database).

Small contract files run inline and show the lines; bigger ones run as a job with a
progress bar whose page offers the lines file. Bad files come back with every bad line.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from werkzeug.wrappers import Response

from portal.commissions import calc_job
from portal.commissions.calculator import Summary
from portal.commissions.fields import LayoutError
from portal.commissions.types import LineKind
from portal.core.errors import DomainError, NotFound
from portal.people.permissions import Permission
from portal.proposals.importing import keep_file
from portal.web.access import require
from portal.web.finance import bp
from portal.web.finance.tool_forms import CalculatorForm
from portal.web.finance.uploads import read_optional_spreadsheet, read_spreadsheet
from portal.web.forms import attach_error
from portal.web.htmx import hx_redirect, is_htmx, render
from portal.web.jobs.helpers import start_job

SYNC_MAX_BYTES = 2 * 1024 * 1024  # contracts files above this run as a job
DOWNLOADS_KEY = "calculator_downloads"  # the lines files this browser session may fetch


def _sync_limit() -> int:
    return int(current_app.config.get("CALCULATOR_SYNC_MAX_BYTES", SYNC_MAX_BYTES))


def _remember(name: str) -> None:
    names = [n for n in session.get(DOWNLOADS_KEY, []) if n != name][-9:]
    session[DOWNLOADS_KEY] = [*names, name]


def _page(
    form: CalculatorForm,
    status: int = 200,
    *,
    error: str | None = None,
    layout_error: LayoutError | None = None,
    summary: Summary | None = None,
    download: str | None = None,
) -> Response:
    return render(
        "finance/calculator.html",
        status=status,
        form=form,
        kinds=LineKind,
        error=error,
        layout_error=layout_error,
        summary=summary,
        download=download,
    )


@bp.route("/calculator", methods=["GET", "POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def calculator() -> Response:
    form = CalculatorForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, 422, error="Formulário expirado: recarregue a página e envie de novo.")
    try:
        uploads = {"table": read_spreadsheet(request.files.get("table"), "table")}
        uploads["contracts"] = read_spreadsheet(request.files.get("contracts"), "contracts")
        plans = read_optional_spreadsheet(request.files.get("plans"), "plans")
        if plans is not None:
            uploads["plans"] = plans
        storage = current_app.config["STORAGE_DIR"]
        if len(uploads["contracts"].data) > _sync_limit():
            stored = {name: keep_file(u.data, storage) for name, u in uploads.items()}
            filenames = {name: u.filename[-120:] for name, u in uploads.items()}
            job = start_job(calc_job.KIND, stored=stored, filenames=filenames)
            target = url_for("jobs.detail", job_id=job.id)
            return hx_redirect(target) if is_htmx() else redirect(target, 303)
        summary, kept = calc_job.run(uploads, storage)
    except LayoutError as failure:
        return _page(form, 422, layout_error=failure)
    except DomainError as failure:
        return _page(form, 422, error=attach_error(form, failure))
    _remember(kept)
    return _page(form, summary=summary, download=kept)


@bp.route("/calculator/lines/<name>.csv")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def calculator_download(name: str) -> Response:
    if name not in session.get(DOWNLOADS_KEY, []):
        raise NotFound("Arquivo de linhas não encontrado: calcule de novo.")
    try:
        data = calc_job.lines_file(name, current_app.config["STORAGE_DIR"])
    except (DomainError, OSError):
        flash("O arquivo de linhas não está mais disponível: calcule de novo.", "warning")
        return redirect(url_for("finance.calculator"))
    response = Response(data, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="linhas-comissao.csv"'
    return response
