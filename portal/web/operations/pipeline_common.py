"""Helpers shared by the pipeline pages of operations and sales: filters from the query
string, the filtered list and its export, the proposal page's data, pendency resolution
and document upload/download responses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from portal.core.errors import DomainError, Forbidden, NotFound
from portal.core.ints import parse_int
from portal.extensions import db
from portal.proposals import documents, pendencies, sla
from portal.proposals.listing import BUCKETS, ProposalFilters, filtered_proposals, proposals_page
from portal.proposals.models import Origin, Product, Proposal
from portal.proposals.page import ProposalPage, proposal_page
from portal.proposals.queries import proposals_for
from portal.proposals.statuses import LABELS, Status, allowed_next, needs_reason
from portal.web.access import current_actor
from portal.web.bank_names import bank_label, registered_banks
from portal.web.errors import error_response
from portal.web.exports import export_response, iter_query
from portal.web.htmx import render
from portal.web.operations.pipeline_forms import ResolveForm, UploadForm
from portal.web.operations.pipeline_rows import list_rows

# The proposal page of an area: detail(proposal, status, error, upload_form=...) -> Response.
DetailPage = Callable[..., Response]


def _int(name: str, args: Any) -> int | None:
    value = (args.get(name) or "").strip()
    return parse_int(value, max_value=999_999_999)


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
        bank=args.get("bank", "") if args.get("bank") in registered_banks() else "",
        product=args.get("product", "") if args.get("product") in products else "",
        agreement=(args.get("agreement") or "").strip().upper()[:40],
        status=args.get("status", "") if args.get("status") in statuses else "",
        agent_id=_int("agent", args),
        store_id=_int("store", args),
        team_id=_int("team", args),
        bucket=args.get("bucket", "") if args.get("bucket") in BUCKETS else "",
        date_from=_date("from", args),
        date_to=_date("to", args),
        paid_from=_date("paid_from", args),
        paid_to=_date("paid_to", args),
        sla_breached=args.get("sla") == "1",
        needs_review=args.get("needs_review") == "1",
        number=(args.get("number") or "").strip()[:60],
    )


def render_proposals_list(template: str, **context: Any) -> Response:
    """The filtered list of the proposals the user sees (the results block on HTMX)."""
    filters = filters_from(request.args)
    limits = sla.limits(db.session)
    page = proposals_page(db.session, current_user, filters, limits, request.args.get("after"))
    return render(
        template,
        block="results",
        page=page,
        rows=list_rows(page.items, limits),
        filters=filters,
        limits=limits,
        **context,
        **template_helpers(),
    )


EXPORT_HEADERS = [
    "Nº",
    "Cliente",
    "Corretor",
    "Loja",
    "Banco",
    "Nº no banco",
    "Produto",
    "Convênio",
    "Prazo",
    "Valor bruto",
    "Valor líquido",
    "Status",
    "Status do banco",
    "Em revisão",
    "No status desde",
    "SLA estourado",
    "Digitada em",
    "Paga em",
    "Origem",
]


def export_rows(stmt: Select, limits: dict[str, int], banks: dict[str, str]) -> Iterator[list[Any]]:
    for p in iter_query(stmt, Proposal.id):
        yield [
            p.id,
            p.client.name,
            p.agent.name,
            p.store.name if p.store else "",
            banks.get(p.bank_code, p.bank_code.upper()),
            p.bank_proposal_number or "",
            p.product_label,
            p.agreement,
            p.term_months,
            p.gross_amount,
            p.net_amount,
            p.status_label,
            p.bank_status or "",
            p.needs_review,
            p.status_changed_at,
            sla.is_breached(p, limits),
            p.submitted_at,
            p.paid_at,
            {"api": "API", "manual": "Manual", "import": "Importada"}.get(p.origin, p.origin),
        ]


def export_proposals(fmt: str, filename: str) -> Response:
    """Exactly what the list shows with the same filters, as XLSX or CSV."""
    limits = sla.limits(db.session)
    stmt = filtered_proposals(db.session, current_user, filters_from(request.args), limits)
    rows = export_rows(stmt, limits, registered_banks())
    return export_response(fmt, filename, EXPORT_HEADERS, rows, "Propostas")


def _scoped_proposal(proposal_id: int) -> Select:
    """The proposal if the signed-in user may see it, with the names its pages show."""
    return (
        proposals_for(db.session, current_user)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.client),
            joinedload(Proposal.agent),
            joinedload(Proposal.store),
            joinedload(Proposal.team),
        )
    )


def load_proposal(proposal_id: int) -> Proposal:
    """The proposal if the signed-in user may see it (404 otherwise), names loaded."""
    proposal = db.session.scalar(_scoped_proposal(proposal_id))
    if proposal is None:
        raise NotFound("Proposta não encontrada.")
    return proposal


def load_proposal_page(proposal_id: int) -> ProposalPage:
    """The proposal page's data in one statement, if the signed-in user may see it (404)."""
    found = proposal_page(db.session, current_user, proposal_id)
    if found is None:
        raise NotFound("Proposta não encontrada.")
    return found


def detail_context(proposal: Proposal, page: ProposalPage | None = None) -> dict[str, Any]:
    """Everything the proposal page shows (`page` when already read; read here otherwise,
    e.g. when a refused form shows the page again)."""
    if page is None:
        page = load_proposal_page(proposal.id)
    proposal, limits = page.proposal, page.limits
    return {
        "csrf": generate_csrf(),  # once for the page's forms, not once per form
        "proposal": proposal,
        "page": page,
        "events": page.events,
        "bank_name": page.bank_name,
        "bank_in_liquidation": page.bank_in_liquidation,
        "stays": sla.time_in_each_status(page.events, limits),
        "pendencies": page.pendencies,
        "pendency_types": page.pendency_types,  # active ones, for the form opening a pendency
        "can_resolve": pendencies.can_resolve,
        "documents": page.documents,
        "limits": limits,
        "breached": sla.is_breached(proposal, limits),
        "hours_here": sla.hours_in_status(proposal),
        "next_statuses": allowed_next(Status(proposal.status), proposal.product),
    }


STATUS_TEXT: dict[str | None, str] = {None: "", "": "", **{s.value: label for s, label in LABELS.items()}}
PRODUCT_TEXT = {p.value: p.label for p in Product}
EVENT_SOURCES = {
    "user": "Usuário",
    "bank_sync": "Sincronização com o banco",
    "webhook": "Notificação do banco",
    "import": "Importação",
    "system": "Sistema",
}


def template_helpers() -> dict[str, Any]:
    return {
        "bank_label": bank_label,
        # Plain dict lookups: list pages call these for every row.
        "status_label": STATUS_TEXT.get,
        "product_label": PRODUCT_TEXT.get,
        "needs_reason": lambda status: needs_reason(Status(status)),
        "allowed_next": lambda p: allowed_next(Status(p.status), p.product),
        "origin_label": lambda value: Origin(value).label,
        "source_label": lambda value: EVENT_SOURCES.get(value, value),
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


def _back_to(endpoint: str, proposal: Proposal) -> Response:
    return redirect(url_for(endpoint, proposal_id=proposal.id), 303)


def resolve_pendency_response(
    proposal: Proposal,
    pendency_id: int,
    detail: DetailPage,
    endpoint: str,
    done: str,
) -> Response:
    """POST of the resolve form: back to the proposal page `endpoint` with `done` flashed,
    or that page again with the refusal (403 when the pendency is not the user's to resolve)."""
    form = ResolveForm()
    if not form.validate_on_submit():
        return error_response(400)
    pendency = pendencies.get_pendency(db.session, proposal, pendency_id)
    try:
        pendencies.resolve_pendency(
            db.session, current_actor(), current_user, proposal, pendency, form.note.data or ""
        )
    except DomainError as error:
        return detail(proposal, 403 if isinstance(error, Forbidden) else 422, error.message)
    flash(done, "success")
    return _back_to(endpoint, proposal)


def upload_response(proposal: Proposal, detail: DetailPage, endpoint: str, verb: str) -> Response:
    """POST of the upload form: back to the proposal page `endpoint` ("Documento … `verb`."),
    or that page again with the refusal under the file field."""
    form = UploadForm()
    if not form.validate_on_submit():
        return error_response(400)
    try:
        document = upload_document(proposal)
    except DomainError as error:
        form.file.errors = [error.message]
        return detail(proposal, 422, error.message, upload_form=form)
    flash(f"Documento “{document.original_name}” {verb}.", "success")
    return _back_to(endpoint, proposal)
