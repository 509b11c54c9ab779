"""Sales area: the agent's own proposals (scoped like clients), read-only, where the agent
resolves the pendencies given to them and sends documents; open pendencies on the home page."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_login import current_user

from portal.core.errors import DomainError
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import pendencies, sla
from portal.proposals.listing import BANKS, filtered_proposals, proposals_page
from portal.proposals.models import PRODUCT_LABELS
from portal.proposals.statuses import LABELS
from portal.web.access import current_actor, require
from portal.web.errors import error_response
from portal.web.exports import export_response
from portal.web.htmx import render
from portal.web.operations.pipeline_common import (
    detail_context,
    download_document,
    filters_from,
    load_proposal,
    template_helpers,
    upload_document,
)
from portal.web.operations.pipeline_forms import ResolveForm, UploadForm
from portal.web.operations.pipeline_views import EXPORT_HEADERS, export_rows
from portal.web.sales import bp

VIEW = (Permission.SALES, Permission.PROPOSALS_VIEW)


@bp.route("/proposals")
@require(*VIEW)
def my_proposals() -> Response:
    filters = filters_from(request.args)
    limits = sla.limits(db.session)
    page = proposals_page(db.session, current_user, filters, limits, request.args.get("after"))
    return render(
        "sales/proposals.html",
        block="results",
        page=page,
        filters=filters,
        limits=limits,
        banks=BANKS,
        products=PRODUCT_LABELS,
        statuses=LABELS,
        **template_helpers(),
    )


@bp.route("/proposals/export.<fmt>")
@require(*VIEW)
def my_proposals_export(fmt: str) -> Response:
    limits = sla.limits(db.session)
    stmt = filtered_proposals(db.session, current_user, filters_from(request.args), limits)
    return export_response(fmt, "minhas-propostas", EXPORT_HEADERS, export_rows(stmt, limits), "Propostas")


def _detail(proposal, status: int = 200, error: str | None = None, upload_form=None) -> Response:
    return render(
        "sales/proposal_detail.html",
        status=status,
        error=error,
        resolve_form=ResolveForm(),
        upload_form=upload_form or UploadForm(),
        **detail_context(proposal),
        **template_helpers(),
    )


@bp.route("/proposals/<int:proposal_id>")
@require(*VIEW)
def my_proposal(proposal_id: int) -> Response:
    return _detail(load_proposal(proposal_id))


@bp.route("/proposals/<int:proposal_id>/pendencies/<int:pendency_id>/resolve", methods=["POST"])
@require(*VIEW)
def my_pendency_resolve(proposal_id: int, pendency_id: int) -> Response:
    proposal = load_proposal(proposal_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return error_response(400)
    pendency = pendencies.get_pendency(db.session, proposal, pendency_id)
    try:
        pendencies.resolve_pendency(
            db.session, current_actor(), proposal, pendency, form.note.data or "", as_agent=True
        )
    except DomainError as error:
        return _detail(proposal, 403 if error.__class__.__name__ == "Forbidden" else 422, error.message)
    flash("Pendência resolvida. As operações foram avisadas pela linha do tempo.", "success")
    return redirect(url_for("sales.my_proposal", proposal_id=proposal.id), 303)


@bp.route("/proposals/<int:proposal_id>/documents", methods=["POST"])
@require(*VIEW)
def my_document_upload(proposal_id: int) -> Response:
    proposal = load_proposal(proposal_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return error_response(400)
    try:
        document = upload_document(proposal)
    except DomainError as error:
        form.file.errors = [error.message]
        return _detail(proposal, 422, error.message, form)
    flash(f"Documento “{document.original_name}” enviado.", "success")
    return redirect(url_for("sales.my_proposal", proposal_id=proposal.id), 303)


@bp.route("/proposals/<int:proposal_id>/documents/<int:document_id>")
@require(*VIEW)
def my_document_download(proposal_id: int, document_id: int) -> Response:
    return download_document(load_proposal(proposal_id), document_id)


@bp.route("/pendencies")
@require(*VIEW)
def my_pendencies() -> Response:
    """Fragment of the home page: open pendencies the agent side must clear."""
    items = db.session.scalars(pendencies.open_agent_pendencies(db.session, current_user)).unique().all()
    return render("sales/_pendencies_home.html", block="pendencies", items=items)
