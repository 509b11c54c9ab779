"""Sales area: the agent's own proposals (scoped like clients), read-only, where the agent
resolves the pendencies given to them and sends documents; open pendencies on the home page."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import pendencies
from portal.proposals.models import PRODUCT_LABELS
from portal.proposals.statuses import LABELS
from portal.web.access import require
from portal.web.bank_names import registered_banks
from portal.web.filters import local_today
from portal.web.htmx import render
from portal.web.operations.pipeline_common import (
    detail_context,
    download_document,
    export_proposals,
    load_proposal,
    load_proposal_page,
    render_proposals_list,
    resolve_pendency_response,
    template_helpers,
    upload_response,
)
from portal.web.sales import bp

VIEW = (Permission.SALES, Permission.PROPOSALS_VIEW)


@bp.route("/proposals")
@require(*VIEW)
def my_proposals() -> Response:
    return render_proposals_list(
        "sales/proposals.html", banks=registered_banks(), products=PRODUCT_LABELS, statuses=LABELS
    )


@bp.route("/proposals/export.<fmt>")
@require(*VIEW)
def my_proposals_export(fmt: str) -> Response:
    return export_proposals(fmt, "minhas-propostas")


def _detail(proposal, status: int = 200, error: str | None = None, upload_form=None, page=None) -> Response:
    return render(
        "sales/proposal_detail.html",
        status=status,
        error=error,
        upload_form=upload_form,
        **detail_context(proposal, page),
        **template_helpers(),
    )


@bp.route("/proposals/<int:proposal_id>")
@require(*VIEW)
def my_proposal(proposal_id: int) -> Response:
    page = load_proposal_page(proposal_id)
    return _detail(page.proposal, page=page)


@bp.route("/proposals/<int:proposal_id>/pendencies/<int:pendency_id>/resolve", methods=["POST"])
@require(*VIEW)
def my_pendency_resolve(proposal_id: int, pendency_id: int) -> Response:
    return resolve_pendency_response(
        load_proposal(proposal_id),
        pendency_id,
        _detail,
        "sales.my_proposal",
        "Pendência resolvida. As operações foram avisadas pela linha do tempo.",
    )


@bp.route("/proposals/<int:proposal_id>/documents", methods=["POST"])
@require(*VIEW)
def my_document_upload(proposal_id: int) -> Response:
    return upload_response(load_proposal(proposal_id), _detail, "sales.my_proposal", "enviado")


@bp.route("/proposals/<int:proposal_id>/documents/<int:document_id>")
@require(*VIEW)
def my_document_download(proposal_id: int, document_id: int) -> Response:
    return download_document(load_proposal(proposal_id), document_id)


HOME_PENDENCIES = 20
ALL_PENDENCIES_MAX = 1000


@bp.route("/pendencies")
@require(*VIEW)
def my_pendencies() -> Response:
    """Fragment of the home page: the most urgent open pendencies, with the true total."""
    stmt = pendencies.open_agent_pendencies(db.session, current_user, HOME_PENDENCIES)
    return render(
        "sales/_pendencies_home.html",
        block="pendencies",
        items=db.session.scalars(stmt).unique().all(),
        total=pendencies.count_open_agent_pendencies(db.session, current_user),
        today=local_today(),
    )


@bp.route("/pendencies/all")
@require(*VIEW)
def all_pendencies() -> Response:
    """Every open pendency waiting for the agent side (the home page's "ver todas")."""
    stmt = pendencies.open_agent_pendencies(db.session, current_user, ALL_PENDENCIES_MAX)
    return render(
        "sales/pendencies_all.html",
        items=db.session.scalars(stmt).unique().all(),
        total=pendencies.count_open_agent_pendencies(db.session, current_user),
        today=local_today(),
    )
