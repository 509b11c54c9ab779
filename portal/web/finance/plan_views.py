"""Internal plans per payee (collaborator or sub-correspondent) with validity, basis,
percent and target tiers; ending a plan; override rates per org level."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.commissions import overview, plan_end, plans
from portal.commissions.models import OVERRIDE_LEVELS
from portal.commissions.types import Tier, TierMode
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.finance import bp
from portal.web.finance.common import (
    collaborator_choices,
    error_status,
    parse_money_field,
    parse_percent_field,
    sub_correspondent_choices,
)
from portal.web.finance.forms import OverrideForm, PlanEndForm, PlanForm
from portal.web.forms import attach_error
from portal.web.htmx import render

TIER_MODES = {TierMode.WHOLE.value: "toda a produção", TierMode.ABOVE.value: "só acima da meta"}


def parse_tiers(text: str | None) -> list[Tier]:
    """ "50.000,00; 45" per line → tiers; a bad line is named in the message."""
    tiers = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) != 2:
            raise DomainError(
                f"Meta da linha {number}: use “produção; percentual” (ex.: 50.000,00; 45).", field="tiers"
            )
        try:
            threshold = parse_money_field(parts[0], "tiers")
            percent = parse_percent_field(parts[1], "tiers")
        except DomainError as error:
            raise DomainError(f"Meta da linha {number}: {error.message}", field="tiers") from None
        tiers.append(Tier(threshold, percent))
    return tiers


def _payee(value: str) -> dict[str, int]:
    if value.startswith("u") and value[1:].isdigit():
        return {"org_unit_id": int(value[1:])}
    if value.isdigit():
        return {"collaborator_id": int(value)}
    raise DomainError("Escolha um colaborador ou um substabelecido.", field="payee")


def _page(
    status: int = 200, form: PlanForm | None = None, override_form: OverrideForm | None = None, error=None
) -> Response:
    form = form or PlanForm(formdata=None)
    form.payee.choices = [("", "—")] + collaborator_choices() + sub_correspondent_choices()
    return render(
        "finance/plans.html",
        status=status,
        form=form,
        override_form=override_form or OverrideForm(formdata=None),
        end_form=PlanEndForm(formdata=None),
        rows=overview.plans_listing(db.session),
        rates=plans.override_rates(db.session),
        levels=OVERRIDE_LEVELS,
        tier_modes=TIER_MODES,
        error=error,
    )


@bp.route("/plans")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def plans_page() -> Response:
    return _page()


@bp.route("/plans", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def plan_create() -> Response:
    form = PlanForm()
    form.payee.choices = [("", "—")] + collaborator_choices() + sub_correspondent_choices()
    error = None
    if form.validate_on_submit():
        try:
            plan = plans.set_plan(
                db.session,
                current_actor(),
                valid_from=form.valid_from.data,
                basis=form.basis.data,
                percent=parse_percent_field(form.percent.data, "percent"),
                tiers=parse_tiers(form.tiers.data),
                tier_mode=form.tier_mode.data or TierMode.WHOLE.value,
                name=form.name.data or "",
                **_payee(form.payee.data),
            )
        except DomainError as failure:
            db.session.rollback()
            error = attach_error(form, failure)
        else:
            flash(f"Plano criado, vigente a partir de {plan.valid_from:%d/%m/%Y}.", "success")
            return redirect(url_for("finance.plans_page"), 303)
    return _page(422, form=form, error=error)


@bp.route("/plans/<int:plan_id>/end", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def plan_finish(plan_id: int) -> Response:
    form = PlanEndForm()
    if not form.validate_on_submit():
        return _page(422, error="Informe o último dia do plano.")
    try:
        plan = plan_end.end_plan(db.session, current_actor(), plan_id, form.valid_to.data)
    except DomainError as failure:
        db.session.rollback()
        return _page(error_status(failure), error=failure.message)
    flash(f"Plano encerrado em {plan.valid_to:%d/%m/%Y}.", "success")
    return redirect(url_for("finance.plans_page"), 303)


@bp.route("/plans/overrides", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def override_create() -> Response:
    form = OverrideForm()
    error = None
    if form.validate_on_submit():
        try:
            percent: Decimal = parse_percent_field(form.percent.data, "percent")
            plans.set_override_rate(
                db.session,
                current_actor(),
                level=form.level.data,
                percent=percent,
                valid_from=form.valid_from.data,
            )
        except DomainError as failure:
            db.session.rollback()
            error = attach_error(form, failure)
        else:
            flash("Override registrado.", "success")
            return redirect(url_for("finance.plans_page", _anchor="overrides"), 303)
    return _page(422, override_form=form, error=error)


@bp.app_template_filter("tier_mode_label")
def tier_mode_label(value: str) -> str:
    return TIER_MODES.get(value, value)
