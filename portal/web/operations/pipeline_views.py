"""Operations pipeline: board, filtered list + export, proposal page, status moves
(single, with reason, bulk) and the review flag."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.core.errors import Conflict, DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import operations, sla
from portal.proposals.board import FIRST_CARDS, MORE_CARDS, build_board, column_cards
from portal.proposals.filter_choices import agent_suggestions, enough_typed, stores_and_agent
from portal.proposals.listing import AGREEMENTS, filtered_proposals
from portal.proposals.models import PRODUCT_LABELS, Proposal
from portal.proposals.page import ProposalPage
from portal.proposals.statuses import LABELS, Status, needs_reason
from portal.web.access import current_actor, require
from portal.web.bank_names import registered_banks
from portal.web.errors import error_response
from portal.web.htmx import is_htmx, render
from portal.web.operations import bp
from portal.web.operations.pipeline_common import (
    detail_context,
    export_proposals,
    filters_from,
    load_proposal,
    load_proposal_page,
    render_proposals_list,
    template_helpers,
)
from portal.web.operations.pipeline_forms import (
    OWNER_CHOICES,
    ConfirmForm,
    MoveForm,
    PendencyForm,
    UploadForm,
    type_choices,
)

VIEW = (Permission.OPERATIONS, Permission.PROPOSALS_VIEW)
BOARD_ARGS = {"bank", "product", "agreement", "sla", "needs_review", "agent", "store", "number"}


def _choices() -> dict[str, object]:
    # The agent filter is a search field (suggestions on demand): only the chosen agent's
    # name is read, not every agent the user sees (~500 options, half the page's HTML).
    stores, agent_name = stores_and_agent(
        db.session, current_user, parse_int(request.args.get("agent"), max_value=999_999_999)
    )
    return {
        "banks": registered_banks(),
        "products": PRODUCT_LABELS,
        "agreements": AGREEMENTS,
        "statuses": LABELS,
        "agent_filter": True,
        "agent_name": agent_name,
        "stores": stores,
    }


def _board_qs(args: MultiDict) -> str:
    """The board's filters as a query string (kept by the cards' moves and column loads)."""
    return urlencode([(k, v) for k in args for v in args.getlist(k) if k in BOARD_ARGS])


def _board_response(args: MultiDict, status: int = 200) -> Response:
    """The board's figures; each column then loads its own cards (`board_column`)."""
    filters = filters_from(args)
    limits = sla.limits(db.session)
    board = build_board(db.session, current_user, filters, limits)
    # The list link's filters, and the columns' address built once, not per column.
    shown = {"bank": filters.bank, "product": filters.product}
    shown |= {"sla": "1" if filters.sla_breached else "", "needs_review": "1" if filters.needs_review else ""}
    list_qs = urlencode([(k, v) for k, v in shown.items() if v])
    return render(
        "operations/board.html",
        block="board",
        status=status,
        board=board,
        filters=filters,
        board_qs=_board_qs(args),
        columns_url=url_for("operations.board_column", status="-").removesuffix("-"),
        list_url=url_for("operations.proposals"),
        list_qs="&" + list_qs if list_qs else "",
        banks=registered_banks(),
        products=PRODUCT_LABELS,
    )


@bp.route("/board")
@require(*VIEW)
def board() -> Response:
    return _board_response(request.args)


@bp.route("/board/columns/<status>")
@require(*VIEW)
def board_column(status: str) -> Response:
    """One page of a column's cards (HTMX: the column loads it, "Carregar mais" the next)."""
    try:
        column = Status(status)
    except ValueError:
        return error_response(404, "Status desconhecido.")
    limits = sla.limits(db.session)
    cursor = request.args.get("cursor")
    page = column_cards(
        db.session,
        current_user,
        filters_from(request.args),
        limits,
        column,
        cursor,
        MORE_CARDS if cursor else FIRST_CARDS,
    )
    return render(
        "operations/_board_cards.html",
        page=page,
        column=column,
        limits=limits,
        board_qs=_board_qs(request.args),
        can_manage=current_user.can(Permission.PIPELINE_MANAGE),
        **template_helpers(),
    )


@bp.route("/proposals")
@require(*VIEW)
def proposals() -> Response:
    # An HTMX filter change or next page renders only the results: no filter choices to read.
    return render_proposals_list(
        "operations/proposals.html",
        owner_choices=OWNER_CHOICES,
        can_manage=current_user.can(Permission.PIPELINE_MANAGE),
        **({} if is_htmx() else _choices()),
    )


@bp.route("/proposals/agents")
@require(*VIEW)
def agent_suggestions_view() -> Response:
    """Suggestions of the list's agent filter for what the user typed (HTMX, as they type)."""
    typed = request.args.get("q", "")
    return render(
        "operations/_agent_suggestions.html",
        agents=agent_suggestions(db.session, current_user, typed),
        empty=not typed.strip(),  # the field was emptied: close the suggestions
        too_short=not enough_typed(typed),
    )


@bp.route("/proposals/export.<fmt>")
@require(*VIEW)
def proposals_export(fmt: str) -> Response:
    return export_proposals(fmt, "propostas")


@bp.route("/proposals/<int:proposal_id>")
@require(*VIEW)
def proposal_detail(proposal_id: int) -> Response:
    page = load_proposal_page(proposal_id)
    return _detail(page.proposal, page=page)


def _detail(
    proposal: Proposal,
    status: int = 200,
    error: str | None = None,
    page: ProposalPage | None = None,
    pendency_form: PendencyForm | None = None,
    upload_form: UploadForm | None = None,
) -> Response:
    """The proposal page; a refused pendency or upload comes back with its form's errors.
    Every form is written out in the templates (a CSRF token each, the refused form's
    values and errors), so no form object is built for a plain view of the page."""
    context = detail_context(proposal, page)
    return render(
        "operations/proposal_detail.html",
        status=status,
        error=error,
        pendency_form=pendency_form,
        upload_form=upload_form,
        owner_choices=OWNER_CHOICES,
        can_manage=current_user.can(Permission.PIPELINE_MANAGE),
        **context,
        **template_helpers(),
    )


@bp.route("/proposals/<int:proposal_id>/status-form")
@require(Permission.PIPELINE_MANAGE)
def status_form(proposal_id: int) -> Response:
    """The small form asking the reason of a move (loaded by HTMX into the card)."""
    proposal = load_proposal(proposal_id)
    try:
        target = Status(request.args.get("target", ""))
    except ValueError:
        return error_response(404, "Status desconhecido.")
    form = MoveForm(
        formdata=None,
        target=target.value,
        version=str(proposal.version),
        origin=request.args.get("origin", "detail"),
        board_query=request.args.get("board_query", ""),
    )
    form.pendency_type_id.choices = type_choices()
    return render(
        "operations/reason_form.html", block="reason_form", proposal=proposal, target=target, form=form
    )


@bp.route("/proposals/<int:proposal_id>/status", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def move(proposal_id: int) -> Response:
    proposal = load_proposal(proposal_id)
    form = MoveForm()
    from_board = form.origin.data == "board"
    if not form.validate_on_submit() or parse_int(form.version.data) is None:
        return error_response(400)
    try:
        target = Status(form.target.data)
    except ValueError:
        return error_response(400)
    form.pendency_type_id.choices = type_choices()
    try:
        if target == Status.PENDING:
            operations.move_to_pending(
                db.session,
                current_actor(),
                proposal,
                form.pendency_type_id.data,
                form.reason.data,
                expected_version=int(form.version.data),
                sub_status=form.sub_status.data or None,
            )
        else:
            operations.move(
                db.session,
                current_actor(),
                proposal,
                target,
                reason=form.reason.data,
                expected_version=int(form.version.data),
                sub_status=form.sub_status.data or None,
            )
    except Conflict:
        raise  # stale card: the app's error handler answers 409
    except DomainError as error:
        db.session.rollback()
        if is_htmx() and needs_reason(target):
            field = form.pendency_type_id if error.field == "pendency_type_id" else form.reason
            field.errors = [error.message]
            response: Response = render(
                "operations/reason_form.html",
                block="reason_form",
                status=422,
                proposal=proposal,
                target=target,
                form=form,
            )
            response.headers["HX-Retarget"] = f"#reason-{proposal.id}"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        if is_htmx():
            return error_response(422, error.message)
        return _detail(load_proposal(proposal_id), status=422, error=error.message)
    message = f"Proposta nº {proposal.id} movida para “{target.label}”."
    if from_board and is_htmx():
        query = MultiDict(
            [(k, v) for k, values in parse_qs(form.board_query.data or "").items() for v in values]
        )
        response = _board_response(query)
        response.headers["HX-Trigger"] = "proposalMoved"
        return response
    flash(message, "success")
    return redirect(url_for("operations.proposal_detail", proposal_id=proposal.id), 303)


@bp.route("/proposals/<int:proposal_id>/review", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def mark_reviewed(proposal_id: int) -> Response:
    proposal = load_proposal(proposal_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return error_response(400)
    version = parse_int(form.version.data)
    operations.mark_reviewed(db.session, current_actor(), proposal, version)
    flash("Proposta marcada como revisada; o status foi mantido.", "success")
    return redirect(url_for("operations.proposal_detail", proposal_id=proposal.id), 303)


def _selected() -> list[tuple[int, int | None]]:
    """Checkbox values "id:version" from the list page."""
    items = []
    for raw in request.form.getlist("ids")[: operations.BULK_MAX + 1]:
        pid, _, version = raw.partition(":")
        number = parse_int(pid)
        if number is not None:
            items.append((number, parse_int(version)))
    return items


@bp.route("/proposals/bulk", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def bulk() -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return error_response(400)
    selected = _selected()
    by_id = {
        p.id: p
        for p in db.session.scalars(
            filtered_proposals(db.session, current_user, filters_from({}), {}).where(
                Proposal.id.in_([pid for pid, _ in selected])
            )
        ).unique()
    }
    action = request.form.get("action")
    back = request.form.get("back") or url_for("operations.proposals")
    if not back.startswith("/operations/proposals"):
        back = url_for("operations.proposals")
    try:
        if action == "status":
            target = Status(request.form.get("target", ""))
            items = [(by_id[pid], version) for pid, version in selected if pid in by_id]
            result = operations.bulk_move(
                db.session, current_actor(), items, target, request.form.get("reason")
            )
        elif action == "owner":
            chosen = [by_id[pid] for pid, _ in selected if pid in by_id]
            result = operations.bulk_assign_pendencies(
                db.session, current_actor(), chosen, request.form.get("owner_kind", "")
            )
        else:
            return error_response(400)
    except (ValueError, DomainError) as error:
        # Told on the list the user came from, filters and page kept.
        message = "Escolha o novo status." if isinstance(error, ValueError) else error.message
        flash(message, "danger")
        return redirect(back, 303)
    done = len(result.done)
    if done:
        flash(f"{done} proposta(s) atualizada(s).", "success")
    for pid, message in result.failed[:20]:
        flash(f"Proposta nº {pid}: {message}", "warning")
    if len(result.failed) > 20:
        flash(f"… e mais {len(result.failed) - 20} proposta(s) não atualizada(s).", "warning")
    return redirect(back, 303)
