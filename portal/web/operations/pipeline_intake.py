"""Proposals that do not come through a bank API: manual registration and spreadsheet
import (a background job with a progress bar, then a row-by-row report)."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core.errors import DomainError, NotFound
from portal.core.money import parse_brl, parse_decimal_br
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import importing
from portal.proposals.import_job import IMPORT_KIND
from portal.proposals.importing import (
    COLUMNS,
    ManualProposal,
    find_import,
    keep_file,
    read_spreadsheet,
    register_manual,
)
from portal.proposals.pipeline_models import ProposalImport
from portal.web.access import current_actor, require
from portal.web.bank_names import registered_banks
from portal.web.forms import attach_error
from portal.web.htmx import hx_redirect, is_htmx, render
from portal.web.jobs.helpers import start_job
from portal.web.operations import bp
from portal.web.operations.pipeline_common import read_upload
from portal.web.operations.pipeline_forms import ImportForm, ManualProposalForm

IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _amount(field, required: bool = False, rate: bool = False) -> Decimal | None:
    text = (field.data or "").strip()
    if not text:
        if required:
            raise DomainError("Campo obrigatório.", field=field.name)
        return None
    try:
        value = parse_decimal_br(text) if rate else parse_brl(text)
    except ValueError as error:
        raise DomainError(str(error), field=field.name) from None
    return value


@bp.route("/proposals/new", methods=["GET", "POST"])
@require(Permission.PIPELINE_MANAGE)
def proposal_new() -> Response:
    form = ManualProposalForm()
    form.bank_code.choices = list(registered_banks().items())
    error = None
    if form.validate_on_submit():
        try:
            proposal = register_manual(
                db.session,
                current_actor(),
                current_user,
                ManualProposal(
                    cpf=form.cpf.data,
                    bank_code=form.bank_code.data,
                    product=form.product.data,
                    agreement=form.agreement.data,
                    term_months=form.term_months.data,
                    gross_amount=_amount(form.gross_amount, required=True),  # type: ignore[arg-type]
                    net_amount=_amount(form.net_amount),
                    installment=_amount(form.installment),
                    monthly_rate=_amount(form.monthly_rate, rate=True),
                    bank_proposal_number=form.bank_proposal_number.data or "",
                    bank_status=form.bank_status.data or "",
                    submitted_on=form.submitted_on.data,
                ),
            )
        except DomainError as failure:
            db.session.rollback()
            error = attach_error(form, failure)
        else:
            flash(f"Proposta nº {proposal.id} cadastrada.", "success")
            return redirect(url_for("operations.proposal_detail", proposal_id=proposal.id), 303)
    status = 422 if request.method == "POST" else 200
    return render("operations/proposal_new.html", status=status, form=form, error=error)


@bp.route("/proposals/import", methods=["GET", "POST"])
@require(Permission.PIPELINE_MANAGE)
def proposals_import() -> Response:
    form = ImportForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            data, filename = read_upload(request.files.get("file"), IMPORT_MAX_BYTES)
            previous = find_import(db.session, data)
            if previous is not None and importing.is_complete(previous):
                flash("Este arquivo já foi importado antes: nada foi alterado.", "info")
                target = url_for("operations.import_report", import_id=previous.id)
                return hx_redirect(target) if is_htmx() else redirect(target, 303)
            read_spreadsheet(data, filename)
        except DomainError as failure:
            error = attach_error(form, failure)
        else:
            storage_dir = current_app.config["STORAGE_DIR"]
            stored = keep_file(data, storage_dir)
            try:
                job = start_job(IMPORT_KIND, stored=stored, filename=filename[-120:], user_id=current_user.id)
            except BaseException:  # no job will ever read it: keep no copy of the CPFs
                importing.discard_kept_file(db.session, stored, storage_dir)
                raise
            target = url_for("jobs.detail", job_id=job.id)
            return hx_redirect(target) if is_htmx() else redirect(target, 303)
    status = 422 if request.method == "POST" else 200
    recent = importing.recent_imports(db.session)
    return render(
        "operations/import.html", status=status, form=form, error=error, columns=COLUMNS, recent=recent
    )


@bp.route("/proposals/imports/<int:import_id>")
@require(Permission.PIPELINE_MANAGE)
def import_report(import_id: int) -> Response:
    record = db.session.get(ProposalImport, import_id)
    if record is None:
        raise NotFound("Importação não encontrada.")
    return render("operations/import_report.html", record=record)
