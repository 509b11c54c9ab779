"""Operations on one proposal's pendencies and documents."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.core.errors import DomainError
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import pendencies
from portal.proposals.pendencies import NewPendency
from portal.web.access import current_actor, require
from portal.web.operations import bp
from portal.web.operations.pipeline_common import (
    download_document,
    load_proposal,
    resolve_pendency_response,
    upload_response,
)
from portal.web.operations.pipeline_forms import PendencyForm, type_choices
from portal.web.operations.pipeline_views import VIEW, _detail


def _back(proposal_id: int) -> Response:
    return redirect(url_for("operations.proposal_detail", proposal_id=proposal_id), 303)


@bp.route("/proposals/<int:proposal_id>/pendencies", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def pendency_open(proposal_id: int) -> Response:
    proposal = load_proposal(proposal_id)
    form = PendencyForm()
    form.type_id.choices = type_choices()
    if form.validate_on_submit():
        try:
            pendencies.open_pendency(
                db.session,
                current_actor(),
                proposal,
                NewPendency(
                    form.type_id.data, form.owner_kind.data, form.description.data or "", form.due_on.data
                ),
            )
        except DomainError as error:
            field = getattr(form, error.field or "", None)
            if field is None:
                return _detail(proposal, 422, error.message, pendency_form=form)
            field.errors = [*field.errors, error.message]
        else:
            flash("Pendência aberta.", "success")
            return _back(proposal.id)
    return _detail(proposal, 422, "Verifique os dados da pendência.", pendency_form=form)


@bp.route("/proposals/<int:proposal_id>/pendencies/<int:pendency_id>/resolve", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def pendency_resolve(proposal_id: int, pendency_id: int) -> Response:
    return resolve_pendency_response(
        load_proposal(proposal_id), pendency_id, _detail, "operations.proposal_detail", "Pendência resolvida."
    )


@bp.route("/proposals/<int:proposal_id>/documents", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def document_upload(proposal_id: int) -> Response:
    return upload_response(load_proposal(proposal_id), _detail, "operations.proposal_detail", "anexado")


@bp.route("/proposals/<int:proposal_id>/documents/<int:document_id>")
@require(*VIEW)
def document_download(proposal_id: int, document_id: int) -> Response:
    return download_document(load_proposal(proposal_id), document_id)
