"""Org tree page and unit create/edit (admin)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people import org
from portal.people.models import OrgUnit
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.forms import attach_error
from portal.web.htmx import render
from portal.web.people import bp
from portal.web.people.common import can_manage, labels
from portal.web.people.forms import OrgUnitForm, select_choices


@bp.route("/org")
@require(Permission.PEOPLE_VIEW)
def org_tree() -> Response:
    return render(
        "people/org_tree.html", roots=org.org_tree(db.session), can_manage=can_manage(), labels=labels()
    )


def _parent_choices(exclude: OrgUnit | None = None) -> list[SelectChoice]:
    pairs = [(i, path) for i, path in org.unit_choices(db.session) if not exclude or i != exclude.id]
    return select_choices([("", "— nenhuma (nível mais alto) —"), *pairs])


UNIT_FIELDS = ("name", "parent_id", "cnpj", "cep", "city", "state")


def _unit_fields(form: OrgUnitForm) -> dict[str, object]:
    """The values create and edit both take, from the form fields of the same names."""
    return {name: form[name].data for name in UNIT_FIELDS}


def _form_page(form: OrgUnitForm, unit: OrgUnit | None, error: str | None, status: int) -> Response:
    return render(
        "people/org_unit_form.html", form=form, unit=unit, error=error, status=status, labels=labels()
    )


@bp.route("/org/new", methods=["GET", "POST"])
@require(Permission.PEOPLE_MANAGE)
def org_unit_new() -> Response:
    form = OrgUnitForm()
    form.parent_id.choices = _parent_choices()
    if request.method == "GET" and request.args.get("parent"):
        form.parent_id.data = parse_int(request.args.get("parent"))
    if form.validate_on_submit():
        try:
            unit = org.create_unit(db.session, current_actor(), kind=form.kind.data, **_unit_fields(form))  # type: ignore[arg-type]
        except DomainError as error:
            return _form_page(form, None, attach_error(form, error), 422)
        flash(f"Unidade {unit.name} criada.", "success")
        return redirect(url_for("people.org_tree"))
    return _form_page(form, None, None, 422 if request.method == "POST" else 200)


@bp.route("/org/<int:unit_id>/edit", methods=["GET", "POST"])
@require(Permission.PEOPLE_MANAGE)
def org_unit_edit(unit_id: int) -> Response:
    unit = org.get_unit(db.session, unit_id)
    form = OrgUnitForm(obj=None if request.method == "POST" else unit)
    form.parent_id.choices = _parent_choices(exclude=unit)
    if form.validate_on_submit():
        try:
            org.update_unit(db.session, current_actor(), unit, active=form.active.data, **_unit_fields(form))  # type: ignore[arg-type]
        except DomainError as error:
            return _form_page(form, unit, attach_error(form, error), 422)
        flash(f"Unidade {unit.name} atualizada.", "success")
        return redirect(url_for("people.org_tree"))
    return _form_page(form, unit, None, 422 if request.method == "POST" else 200)
