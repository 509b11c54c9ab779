"""Reconciliation decisions: accept a divergence (two steps: review, then confirm), dispute
it with the bank and close the dispute, link an unknown contract; money received typed or
imported; the tolerance rules. A broken rule answers 422 with the page re-rendered."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from portal.commissions.ledger import check_period
from portal.commissions.reconciliation import actions, received, rules
from portal.commissions.reconciliation.matching import ItemKey
from portal.commissions.reconciliation.models import DISPUTE_OUTCOMES, GLOBAL, Dispute
from portal.commissions.reconciliation.service import find_item
from portal.core.errors import DomainError, NotFound
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.finance import bp
from portal.web.finance.common import error_status, parse_money_field
from portal.web.finance.forms import (
    CloseDisputeForm,
    DecisionForm,
    LinkForm,
    ReceivedForm,
    RulesForm,
    StatementForm,
)
from portal.web.finance.recon_tables import item_args
from portal.web.finance.recon_views import VIEW, bank_names, received_page, today
from portal.web.forms import form_date
from portal.web.htmx import render

MANAGE = (Permission.FINANCE, Permission.COMMISSIONS_MANAGE)


def _key(source: Any) -> ItemKey:
    try:
        period = check_period(source.get("period") or "")
    except DomainError:
        raise NotFound("Divergência não encontrada.") from None
    return ItemKey(
        (source.get("bank") or "")[:20],
        period,
        (source.get("contract") or "")[:60],
        (source.get("component") or "")[:20],
        source.get("dup") == "1",
    )


def _item_page(
    key: ItemKey,
    status: int = 200,
    error: str | None = None,
    form: DecisionForm | None = None,
    preview: bool = False,
) -> Response:
    view = find_item(db.session, key, today())
    if view is None:
        raise NotFound("Divergência não encontrada.")
    if form is None:
        form = DecisionForm(formdata=None)
        form.bank.data, form.period.data, form.contract.data = key.bank, key.period, key.contract
        form.component.data, form.dup.data = key.component, "1" if key.duplicate else ""
    close = CloseDisputeForm(formdata=None)
    close.outcome.choices = list(DISPUTE_OUTCOMES.items())
    link = LinkForm(formdata=None)
    link.bank.data, link.reported_contract.data = key.bank, key.contract
    history = (
        db.session.query(Dispute)
        .filter_by(
            bank_code=key.bank,
            period=key.period,
            contract=key.contract,
            component=key.component,
            duplicate=key.duplicate,
        )
        .order_by(Dispute.id)
        .all()
    )
    return render(
        "finance/recon_item.html",
        status=status,
        view=view,
        form=form,
        close_form=close,
        link_form=link,
        error=error,
        preview=preview,
        history=history,
        bank_name=bank_names().get(key.bank, key.bank),
    )


def _back_to_item(key: ItemKey) -> ResponseReturnValue:
    """After a decision: back to the divergence's page (POST-redirect-GET)."""
    return redirect(url_for("finance.recon_item", **item_args(key)), 303)


def _expired(key: ItemKey, form: DecisionForm | None = None) -> Response:
    return _item_page(key, 400, "Formulário expirado: recarregue a página e tente de novo.", form)


def _refused(key: ItemKey, failure: DomainError, form: DecisionForm | None = None) -> Response:
    """A broken rule: undo what the service flushed and re-render the item with the message."""
    db.session.rollback()
    return _item_page(key, error_status(failure), failure.message, form)


@bp.route("/reconciliation/item")
@require(*VIEW)
def recon_item() -> ResponseReturnValue:
    if not request.args.get("period"):
        # No divergence chosen (a bookmark cut short): show the list to choose from.
        from portal.web.finance.recon_views import recon_items

        return recon_items()
    return _item_page(_key(request.args))


@bp.route("/reconciliation/item/accept", methods=["POST"])
@require(*MANAGE)
def recon_accept() -> ResponseReturnValue:
    form = DecisionForm()
    key = _key(request.form)
    if not form.validate_on_submit():
        return _expired(key, form)
    try:
        if form.confirmed.data != "1":
            actions._reason(form.reason.data)  # checked before the review step too
            form.confirmed.data = "1"
            return _item_page(key, form=form, preview=True)
        record = actions.accept(db.session, current_actor(), key, form.reason.data or "", today())
    except DomainError as failure:
        form.confirmed.data = ""
        return _refused(key, failure, form)
    flash(
        f"Divergência aceita: ajuste de {record.amount} lançado no razão (nº {record.ledger_entry_id}).",
        "success",
    )
    return _back_to_item(key)


@bp.route("/reconciliation/item/dispute", methods=["POST"])
@require(*MANAGE)
def recon_dispute() -> ResponseReturnValue:
    form = DecisionForm()
    key = _key(request.form)
    if not form.validate_on_submit():
        return _expired(key, form)
    try:
        actions.open_dispute(
            db.session, current_actor(), key, form.reason.data or "", form.protocol.data or "", today()
        )
    except DomainError as failure:
        return _refused(key, failure, form)
    flash("Disputa aberta com o banco.", "success")
    return _back_to_item(key)


@bp.route("/reconciliation/disputes/<int:dispute_id>/close", methods=["POST"])
@require(*MANAGE)
def recon_dispute_close(dispute_id: int) -> ResponseReturnValue:
    record = db.session.get(Dispute, dispute_id)
    if record is None:
        raise NotFound("Disputa não encontrada.")
    key = ItemKey(record.bank_code, record.period, record.contract, record.component, record.duplicate)
    form = CloseDisputeForm()
    if not form.validate_on_submit():
        return _expired(key)
    try:
        actions.close_dispute(
            db.session, current_actor(), dispute_id, form.outcome.data or "", form.note.data or ""
        )
    except DomainError as failure:
        return _refused(key, failure)
    flash("Disputa encerrada.", "success")
    return _back_to_item(key)


@bp.route("/reconciliation/link", methods=["POST"])
@require(*MANAGE)
def recon_link() -> ResponseReturnValue:
    form = LinkForm()
    key = _key({**request.form.to_dict(), "contract": form.reported_contract.data})
    if not form.validate_on_submit():
        return _expired(key)
    try:
        link = actions.link_contract(
            db.session,
            current_actor(),
            key.bank,
            key.contract,
            form.contract.data or "",
            form.reason.data or "",
        )
    except DomainError as failure:
        return _refused(key, failure)
    flash(f"Contrato {link.reported_contract} do banco vinculado ao contrato {link.contract}.", "success")
    return redirect(url_for("finance.recon_items", bank=key.bank, period=key.period), 303)


def _received_error(failure: DomainError) -> Response:
    db.session.rollback()
    return received_page(error_status(failure), failure.message)


@bp.route("/reconciliation/received", methods=["POST"])
@require(*MANAGE)
def recon_received_add() -> ResponseReturnValue:
    form = ReceivedForm()
    try:
        if not form.validate_on_submit():
            raise DomainError("Preencha banco, data e valor do crédito.")
        record = received.add_manual(
            db.session,
            current_actor(),
            bank_code=form.bank_code.data or "",
            received_on=form.received_on.data,
            amount=parse_money_field(form.amount.data, "amount"),
            reference=form.reference.data or "",
            memo=form.memo.data or "",
            period=form.period.data or "",
        )
    except DomainError as failure:
        return _received_error(failure)
    flash(f"Recebimento de {record.amount} registrado.", "success")
    return redirect(url_for("finance.recon_received"), 303)


@bp.route("/reconciliation/received/import", methods=["POST"])
@require(*MANAGE)
def recon_received_import() -> ResponseReturnValue:
    form = StatementForm()
    try:
        upload = request.files.get("file")
        if not form.validate_on_submit() or upload is None or not upload.filename:
            raise DomainError("Escolha o arquivo do extrato (OFX ou CSV).")
        result = received.import_statement(
            db.session,
            current_actor(),
            upload.read(received_max() + 1),
            upload.filename,
            bank_code=form.bank_code.data or "",
            period=form.period.data or "",
        )
    except DomainError as failure:
        return _received_error(failure)
    flash(
        f"Extrato importado: {result.imported} crédito(s) novo(s), {result.already} já importado(s), "
        f"{result.not_credit} débito(s) ignorado(s), {len(result.unidentified)} sem banco identificado.",
        "success",
    )
    return redirect(url_for("finance.recon_received"), 303)


def received_max() -> int:
    return 5 * 1024 * 1024


@bp.route("/reconciliation/rules", methods=["POST"])
@require(*MANAGE)
def recon_rules() -> ResponseReturnValue:
    form = RulesForm()
    try:
        code = form.bank_code.data or ""
        if not form.validate_on_submit() or (code != GLOBAL and code not in bank_names()):
            raise DomainError("Escolha o banco e informe tolerância e prazo.")
        days = parse_int(form.missing_after_days.data or "", max_value=365)
        if days is None:
            raise DomainError("Prazo em dias inválido.", field="missing_after_days")
        tolerance = parse_money_field(form.tolerance.data, "tolerance")
        today = rules.local_today()
        starts = form_date(form.valid_from.data) if form.valid_from.data else today
        if starts is None:
            raise DomainError("Data de início inválida.", field="valid_from")
        if starts > today:
            if not rules.schedule_rules(db.session, current_actor(), code, tolerance, days, starts, today):
                raise DomainError("As regras informadas já valem nessa data.")
        else:
            rules.set_rules(db.session, current_actor(), code, tolerance, days, today)
    except DomainError as failure:
        return _received_error(failure)
    flash(
        "Regras de conciliação salvas."
        if starts <= today
        else f"Regras de conciliação agendadas a partir de {starts:%d/%m/%Y}.",
        "success",
    )
    return redirect(url_for("finance.recon_received"), 303)
