"""Collaborators: scoped list with filters and export, detail with history, create,
edit, transfer, deactivate and the audited reveal of CPF/phone."""

from __future__ import annotations

from dataclasses import fields

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core import audit as audit_log
from portal.core import documents
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people import certifications, collaborator_queries, collaborators, operator_codes
from portal.people.collaborator_queries import CollaboratorFilters
from portal.people.collaborators import CollaboratorInput
from portal.people.constants import CERT_STATE_LABELS, STATUS_LABELS, CertState, CollaboratorStatus
from portal.people.models import ROLE_GROUP_LABELS, Collaborator, OrgKind, RoleGroup
from portal.people.org import unit_choices
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.bank_names import registered_banks
from portal.web.exports import export_response, iter_query
from portal.web.forms import attach_error
from portal.web.htmx import is_htmx, render
from portal.web.people import bp
from portal.web.people.common import (
    ACTION_LABELS,
    can_manage,
    history_of,
    labels,
    supervisor_choices,
    today,
    unit_select_choices,
)
from portal.web.people.forms import (
    CertificationForm,
    CollaboratorForm,
    ConfirmForm,
    DeactivateForm,
    MoveForm,
    OperatorCodeForm,
    optional_int,
    select_choices,
)


def _filters() -> CollaboratorFilters:
    args = request.args
    return CollaboratorFilters(
        search=args.get("q", "")[:100],
        store_id=optional_int(args.get("store")),
        team_id=optional_int(args.get("team")),
        role_group=args.get("role_group", "")[:20],
        status=args.get("status", "")[:20],
        cert_state=args.get("cert", "")[:20],
    )


@bp.route("/collaborators")
@require(Permission.PEOPLE_VIEW)
def collaborators_list() -> Response:
    filters = _filters()
    page = collaborator_queries.collaborators_page(
        db.session, current_user, filters, request.args.get("after")
    )
    return render(
        "people/collaborators.html",
        block="results",
        page=page,
        filters=filters,
        stores=unit_choices(db.session, {OrgKind.STORE}),
        teams=unit_choices(db.session, {OrgKind.TEAM}),
        role_groups=ROLE_GROUP_LABELS,
        labels=labels(),
        statuses=STATUS_LABELS,
        cert_states=CERT_STATE_LABELS,
        state_for=certifications.state_for_expiry,
        today=today(),
        can_manage=can_manage(),
    )


@bp.route("/collaborators/export.<fmt>")
@require(Permission.PEOPLE_VIEW)
def collaborators_export(fmt: str) -> Response:
    on = today()
    stmt = collaborator_queries.collaborators_query(db.session, current_user, _filters(), on)

    def rows():
        for c in iter_query(stmt, Collaborator.id):
            state = certifications.state_for_expiry(c.best_expiry, on)
            yield [
                c.id,
                c.name,
                documents.mask_cpf(c.cpf),
                c.email or "",
                documents.mask_phone(c.phone) if c.phone else "",
                RoleGroup(c.role_group).label,
                c.unit_name or "",
                c.parent_unit_name or "",
                CollaboratorStatus(c.status).label,
                state.label,
                c.best_expiry,
                c.hired_on,
                c.left_on,
            ]

    headers = [
        "ID",
        "Nome",
        "CPF",
        "E-mail",
        "Telefone",
        "Grupo",
        "Unidade",
        "Unidade superior",
        "Situação",
        "Certificação",
        "Validade da certificação",
        "Admissão",
        "Saída",
    ]
    return export_response(fmt, "colaboradores", headers, rows(), "Colaboradores")


def _input(form: CollaboratorForm) -> CollaboratorInput:
    """The service input from the form (it has a field of the same name for each)."""
    return CollaboratorInput(**{f.name: form[f.name].data for f in fields(CollaboratorInput)})


def _form_page(form: CollaboratorForm, collaborator: Collaborator | None, error: str | None, status: int):
    return render(
        "people/collaborator_form.html", form=form, collaborator=collaborator, error=error, status=status
    )


@bp.route("/collaborators/new", methods=["GET", "POST"])
@require(Permission.PEOPLE_MANAGE)
def collaborator_new() -> Response:
    form = CollaboratorForm()
    form.unit_id.choices = unit_select_choices()
    form.supervisor_id.choices = supervisor_choices()
    if form.validate_on_submit():
        try:
            collaborator = collaborators.create_collaborator(
                db.session, current_actor(), _input(form), unit_id=form.unit_id.data
            )
        except DomainError as error:
            return _form_page(form, None, attach_error(form, error), 422)
        flash(f"Colaborador {collaborator.name} cadastrado.", "success")
        return redirect(url_for("people.collaborator_detail", collaborator_id=collaborator.id))
    return _form_page(form, None, None, 422 if request.method == "POST" else 200)


@bp.route("/collaborators/<int:collaborator_id>/edit", methods=["GET", "POST"])
@require(Permission.PEOPLE_MANAGE)
def collaborator_edit(collaborator_id: int) -> Response:
    collaborator = collaborators.get_collaborator(db.session, collaborator_id)
    form = CollaboratorForm(obj=None if request.method == "POST" else collaborator)
    if request.method == "GET":
        form.cpf.data = ""
        form.phone.data = ""
        form.user_email.data = collaborator.user.email if collaborator.user else ""
    form.supervisor_id.choices = supervisor_choices(exclude_id=collaborator.id)
    form.unit_id.choices = []
    if form.validate_on_submit():
        try:
            collaborators.update_collaborator(db.session, current_actor(), collaborator, _input(form))
        except DomainError as error:
            return _form_page(form, collaborator, attach_error(form, error), 422)
        flash("Dados do colaborador atualizados.", "success")
        return redirect(url_for("people.collaborator_detail", collaborator_id=collaborator.id))
    return _form_page(form, collaborator, None, 422 if request.method == "POST" else 200)


def _code_form(form: OperatorCodeForm | None) -> OperatorCodeForm:
    """The operator-code form, offering only registered banks."""
    form = form or OperatorCodeForm(formdata=None)
    form.bank_code.choices = select_choices(registered_banks().items())
    return form


def detail_page(collaborator: Collaborator, status: int = 200, error: str | None = None, **forms) -> Response:
    """The detail page; `forms` replaces the default (empty) forms after a failed POST."""
    on = today()
    manage = can_manage()
    move = forms.get("move") or MoveForm(formdata=None)
    move.unit_id.choices = unit_select_choices("— escolha —")
    context = {
        "collaborator": collaborator,
        "memberships": collaborators.membership_history(db.session, collaborator),
        "cert_state": certifications.certification_state(collaborator, on),
        "cert_best": certifications.best_certification(collaborator, on),
        "eligibility": certifications.can_submit_proposals(db.session, collaborator, on),
        "codes": operator_codes.operator_codes_of(db.session, collaborator),
        "history": history_of(collaborator.id),
        "action_labels": ACTION_LABELS,
        "labels": labels(),
        "can_manage": manage,
        "today": on,
        "error": error,
        "move_form": move,
        "deactivate_form": forms.get("deactivate") or DeactivateForm(formdata=None),
        "cert_form": forms.get("cert") or CertificationForm(formdata=None),
        "code_form": _code_form(forms.get("code")),
        "confirm_form": ConfirmForm(formdata=None),
        "CertState": CertState,
        "revealed": forms.get("revealed", False),
    }
    return render("people/collaborator_detail.html", status=status, **context)


@bp.route("/collaborators/<int:collaborator_id>")
@require(Permission.PEOPLE_VIEW)
def collaborator_detail(collaborator_id: int) -> Response:
    collaborator = collaborators.get_visible_collaborator(db.session, current_user, collaborator_id)
    return detail_page(collaborator)


@bp.route("/collaborators/<int:collaborator_id>/reveal", methods=["POST"])
@require(Permission.PEOPLE_VIEW, Permission.PII_REVEAL)
def collaborator_reveal(collaborator_id: int) -> Response:
    collaborator = collaborators.get_visible_collaborator(db.session, current_user, collaborator_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    audit_log.record(
        db.session, current_actor(), "collaborator.pii_revealed", f"collaborator:{collaborator.id}"
    )
    if is_htmx():
        return render(
            "people/collaborator_detail.html",
            block="pii",
            collaborator=collaborator,
            revealed=True,
            confirm_form=ConfirmForm(formdata=None),
        )
    return detail_page(collaborator, revealed=True)


@bp.route("/collaborators/<int:collaborator_id>/move", methods=["POST"])
@require(Permission.PEOPLE_MANAGE)
def collaborator_move(collaborator_id: int) -> Response:
    collaborator = collaborators.get_collaborator(db.session, collaborator_id)
    form = MoveForm()
    form.unit_id.choices = unit_select_choices("— escolha —")
    if not form.validate_on_submit():
        return detail_page(collaborator, 422, move=form)
    if form.unit_id.data is None:
        form.unit_id.errors = ["Escolha a nova unidade."]
        return detail_page(collaborator, 422, move=form)
    try:
        collaborators.move_collaborator(
            db.session, current_actor(), collaborator, form.unit_id.data, form.moved_on.data  # type: ignore[arg-type]
        )
    except DomainError as error:
        return detail_page(collaborator, 422, attach_error(form, error), move=form)
    flash("Transferência registrada.", "success")
    return redirect(url_for("people.collaborator_detail", collaborator_id=collaborator.id))


@bp.route("/collaborators/<int:collaborator_id>/deactivate", methods=["POST"])
@require(Permission.PEOPLE_MANAGE)
def collaborator_deactivate(collaborator_id: int) -> Response:
    collaborator = collaborators.get_collaborator(db.session, collaborator_id)
    form = DeactivateForm()
    if not form.validate_on_submit():
        return detail_page(collaborator, 422, deactivate=form)
    try:
        collaborators.deactivate_collaborator(db.session, current_actor(), collaborator, form.left_on.data)  # type: ignore[arg-type]
    except DomainError as error:
        return detail_page(collaborator, 422, attach_error(form, error), deactivate=form)
    flash(f"{collaborator.name} desligado(a) em {form.left_on.data:%d/%m/%Y}.", "success")
    return redirect(url_for("people.collaborator_detail", collaborator_id=collaborator.id))
