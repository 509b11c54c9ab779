"""Helpers shared by the pipeline pages of operations and sales: filters from the query
string, the proposal page's data, document upload/download responses."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from portal.core.errors import DomainError
from portal.extensions import db
from portal.proposals import documents, pendencies, sla
from portal.proposals.listing import BANKS, ProposalFilters, bank_label
from portal.proposals.models import Origin, Product, Proposal
from portal.proposals.queries import events_of, proposals_for
from portal.proposals.statuses import LABELS, Status, allowed_next, needs_reason
from portal.web.access import current_actor


def _int(name: str, args: Any) -> int | None:
    value = (args.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _date(name: str, args: Any) -> date | None:
    try:
        return date.fromisoformat((args.get(name) or "").strip())
    except ValueError:
        return None


def filters_from(args: Any) -> ProposalFilters:
    """ProposalFilters from a query string; unknown values are ignored, never trusted."""
    statuses = {s.value for s in Status}
    products = {p.value for p in Product}
    return ProposalFilters(
        bank=args.get("bank", "") if args.get("bank") in BANKS else "",
        product=args.get("product", "") if args.get("product") in products else "",
        agreement=(args.get("agreement") or "").strip().upper()[:40],
        status=args.get("status", "") if args.get("status") in statuses else "",
        agent_id=_int("agent", args),
        store_id=_int("store", args),
        date_from=_date("from", args),
        date_to=_date("to", args),
        sla_breached=args.get("sla") == "1",
        needs_review=args.get("needs_review") == "1",
        number=(args.get("number") or "").strip()[:60],
    )


def load_proposal(proposal_id: int) -> Proposal:
    """The proposal if the signed-in user may see it (404 otherwise), names loaded."""
    proposal = db.session.scalar(
        proposals_for(db.session, current_user)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.client),
            joinedload(Proposal.agent),
            joinedload(Proposal.store),
            joinedload(Proposal.team),
        )
    )
    if proposal is None:
        from portal.core.errors import NotFound

        raise NotFound("Proposta não encontrada.")
    return proposal


def detail_context(proposal: Proposal) -> dict[str, Any]:
    """Everything the proposal page shows, in a fixed number of queries."""
    limits = sla.limits(db.session)
    return {
        "proposal": proposal,
        "events": events_of(db.session, proposal),
        "pendencies": pendencies.pendencies_of(db.session, proposal),
        "documents": documents.documents_of(db.session, proposal),
        "limits": limits,
        "breached": sla.is_breached(proposal, limits),
        "hours_here": sla.hours_in_status(proposal),
        "next_statuses": allowed_next(Status(proposal.status), proposal.product),
    }


def template_helpers() -> dict[str, Any]:
    return {
        "bank_label": bank_label,
        "status_label": lambda value: LABELS[Status(value)] if value else "",
        "needs_reason": lambda status: needs_reason(Status(status)),
        "allowed_next": lambda p: allowed_next(Status(p.status), p.product),
        "origin_label": lambda value: Origin(value).label,
        "is_breached": sla.is_breached,
        "hours_in_status": sla.hours_in_status,
    }


def read_upload(storage: FileStorage | None, limit: int) -> tuple[bytes, str]:
    """The uploaded bytes, reading at most `limit + 1` so an oversized file is refused
    without holding more than that in memory."""
    if storage is None or not storage.filename:
        raise DomainError("Escolha um arquivo.", field="file")
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            f"Arquivo muito grande: o limite por documento é {limit // (1024 * 1024)} MB.", field="file"
        )
    return data, storage.filename


def document_limit() -> int:
    return int(current_app.config.get("DOCUMENT_MAX_BYTES", documents.DEFAULT_MAX_BYTES))


def upload_document(proposal: Proposal) -> documents.ProposalDocument:
    data, filename = read_upload(request.files.get("file"), document_limit())
    return documents.store_document(
        db.session,
        current_actor(),
        proposal,
        data,
        filename,
        current_app.config["STORAGE_DIR"],
        document_limit(),
    )


def download_document(proposal: Proposal, document_id: int) -> Response:
    """Serve a document as an attachment; never rendered inline by the browser."""
    document = documents.get_document(db.session, proposal, document_id)
    data = documents.read_document(db.session, current_actor(), document, current_app.config["STORAGE_DIR"])
    response = Response(data, mimetype=document.content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="documento-{document.id}.{document.original_name.rsplit(".", 1)[-1]}"; '
        f"filename*=UTF-8''{quote(document.original_name)}"
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
