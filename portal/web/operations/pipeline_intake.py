"""Proposals that do not come through a bank API: manual registration here; spreadsheets
go through the import hub (`/finance/imports`, kind "proposals"), which the old import
address forwards to."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core.errors import DomainError, NotFound
from portal.core.money import parse_brl, parse_decimal_br
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals.import_kind import NAME as PROPOSALS_KIND
from portal.proposals.manual import ManualProposal, register_manual
from portal.proposals.pipeline_models import ProposalImport
from portal.web.access import current_actor, require
from portal.web.bank_names import registered_banks
from portal.web.forms import attach_error
from portal.web.htmx import render
from portal.web.operations import bp
from portal.web.operations.pipeline_forms import ManualProposalForm


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
    """The old address of the proposals spreadsheet import, kept for bookmarks and scripts:
    a page visit goes to the import hub's upload with "Planilha de propostas" chosen, and
    a file sent here is received exactly as the hub receives it (kind "proposals")."""
    if request.method == "POST":
        from portal.web.finance.import_views import receive_upload  # the hub owns the upload

        return receive_upload(default_kind=PROPOSALS_KIND)
    return redirect(url_for("finance.import_new", kind=PROPOSALS_KIND), 302)


@bp.route("/proposals/imports/<int:import_id>")
@require(Permission.PIPELINE_MANAGE)
def import_report(import_id: int) -> Response:
    """The row report of a spreadsheet imported before the import hub (read only: the
    links of those old jobs keep working)."""
    record = db.session.get(ProposalImport, import_id)
    if record is None:
        raise NotFound("Importação não encontrada.")
    return render("operations/import_report.html", record=record)
