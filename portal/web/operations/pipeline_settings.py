"""Pipeline settings edited by operations: bank status mappings, SLA limits, pendency types."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core import audit
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import mapping, pendencies, sla
from portal.proposals.statuses import LABELS, Status
from portal.web.access import current_actor, require
from portal.web.bank_names import bank_label, registered_banks
from portal.web.errors import error_response
from portal.web.forms import attach_error
from portal.web.htmx import render
from portal.web.operations import bp
from portal.web.operations.pipeline_forms import ConfirmForm, MappingForm, PendencyTypeForm
from portal.web.operations.pipeline_views import VIEW


def _can_manage() -> bool:
    """GET pages are readable with VIEW; their POSTs need PIPELINE_MANAGE."""
    return current_user.can(Permission.PIPELINE_MANAGE)


def _mappings_page(form: MappingForm, status: int = 200, error: str | None = None) -> Response:
    banks = registered_banks()
    bank = request.args.get("bank", "") if request.args.get("bank") in banks else ""
    return render(
        "operations/mappings.html",
        status=status,
        form=form,
        error=error,
        bank=bank,
        banks=banks,
        bank_label=bank_label,
        labels=LABELS,
        rows=mapping.mappings(db.session, bank),
        confirm_form=ConfirmForm(),
    )


def _reapplied_message(reapplied: mapping.Reapplied) -> str:
    """How many proposals left review, how many stayed and why (people fix those by hand)."""
    parts = [f"{reapplied.cleared} proposta(s) saíram da revisão."]
    stayed = sum(reapplied.stayed.values())
    if stayed:
        reasons = "; ".join(f"{why.rstrip('.')} ({count})" for why, count in reapplied.stayed.most_common())
        parts.append(
            f"{stayed} continua(m) em revisão: {reasons}. "
            "Veja em Propostas › Em revisão."
        )
    if reapplied.not_reached:
        parts.append(
            f"Outras {reapplied.not_reached} proposta(s) com este status ainda aguardam: "
            "salve o mapeamento de novo para aplicá-lo a elas."
        )
    return " ".join(parts)


@bp.route("/mappings", methods=["GET", "POST"])
@require(*VIEW)
def mappings() -> Response:
    form = MappingForm()
    form.bank_code.choices = list(registered_banks().items())
    if request.method == "GET":
        form.bank_code.data = request.args.get("bank") or form.bank_code.data
        form.bank_status.data = request.args.get("bank_status", "")[:120] or None
        return _mappings_page(form)
    if not _can_manage():
        return error_response(403)
    if not form.validate_on_submit():
        return _mappings_page(form, 422)
    try:
        saved = mapping.set_mapping(
            db.session, form.bank_code.data, form.bank_status.data, form.status.data, form.sub_status.data
        )
        reapplied = mapping.reapply_parked(db.session, current_actor(), saved.bank_code, saved.bank_status)
    except DomainError as error:
        return _mappings_page(form, 422, attach_error(form, error))
    audit.record(
        db.session, current_actor(), "mapping.saved", f"mapping:{saved.id}", {"bank": saved.bank_code}
    )
    label = LABELS[Status(saved.status)]
    flash(
        f"Mapeamento salvo: {bank_label(saved.bank_code)} “{saved.bank_status}” → {label}. "
        + _reapplied_message(reapplied),
        "warning" if reapplied.stayed or reapplied.not_reached else "success",
    )
    return redirect(url_for("operations.mappings", bank=saved.bank_code), 303)


@bp.route("/mappings/<int:mapping_id>/delete", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def mapping_delete(mapping_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        return error_response(400)
    removed = mapping.delete_mapping(db.session, mapping_id)
    audit.record(
        db.session, current_actor(), "mapping.deleted", f"mapping:{removed.id}", {"bank": removed.bank_code}
    )
    flash(f"Mapeamento de “{removed.bank_status}” removido.", "success")
    return redirect(url_for("operations.mappings", bank=removed.bank_code), 303)


@bp.route("/sla", methods=["GET", "POST"])
@require(*VIEW)
def sla_limits() -> Response:
    form = ConfirmForm()
    errors: dict[str, str] = {}
    values = sla.limits(db.session)
    status = 200
    if request.method == "POST":
        if not _can_manage():
            return error_response(403)
        if not form.validate_on_submit():
            return error_response(400)
        submitted: dict[str, int | None] = {}
        for tracked in sla.TRACKED:
            raw = (request.form.get(tracked.value) or "").strip()
            hours = parse_int(raw, max_value=100_000)
            if raw and hours is None:
                errors[tracked.value] = "Informe um número inteiro de horas."
            submitted[tracked.value] = hours
        if not errors:
            try:
                sla.save_limits(db.session, current_actor(), submitted)
            except DomainError as error:
                errors[error.field or ""] = error.message
            else:
                flash("Limites de SLA salvos.", "success")
                return redirect(url_for("operations.sla_limits"), 303)
        values = {k: v for k, v in submitted.items() if v}
        status = 422
    return render(
        "operations/sla.html",
        status=status,
        form=form,
        values=values,
        errors=errors,
        tracked=sla.TRACKED,
        history=sla.limit_history(db.session),
        labels=LABELS,
        today=sla.local_today(),
    )


@bp.route("/pendency-types", methods=["GET", "POST"])
@require(*VIEW)
def pendency_types() -> Response:
    form = PendencyTypeForm()
    status, error = 200, None
    if request.method == "POST":
        if not _can_manage():
            return error_response(403)
        if form.validate_on_submit():
            try:
                pendencies.save_type(db.session, current_actor(), form.name.data, active=True)
            except DomainError as failure:
                error = attach_error(form, failure)
            else:
                flash("Tipo de pendência criado.", "success")
                return redirect(url_for("operations.pendency_types"), 303)
        status = 422
    return render(
        "operations/pendency_types.html",
        status=status,
        form=form,
        error=error,
        items=pendencies.types(db.session),
        confirm_form=ConfirmForm(),
    )


@bp.route("/pendency-types/<int:type_id>", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def pendency_type_update(type_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        return error_response(400)
    try:
        pendencies.save_type(
            db.session,
            current_actor(),
            request.form.get("name", ""),
            type_id,
            request.form.get("active") == "1",
        )
    except DomainError as error:
        db.session.rollback()
        return error_response(422, error.message)
    flash("Tipo de pendência atualizado.", "success")
    return redirect(url_for("operations.pendency_types"), 303)
