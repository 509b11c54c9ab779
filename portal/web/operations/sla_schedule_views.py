"""Schedule an SLA limit from a date (today or later): the history keeps old → new."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import sla
from portal.proposals.statuses import LABELS
from portal.web.access import current_actor, require
from portal.web.errors import error_response
from portal.web.forms import form_date
from portal.web.operations import bp
from portal.web.operations.pipeline_forms import ConfirmForm


@bp.route("/sla/schedule", methods=["POST"])
@require(Permission.PIPELINE_MANAGE)
def sla_schedule() -> Response:
    if not ConfirmForm().validate_on_submit():
        return error_response(400)
    status = (request.form.get("status") or "")[:40]
    raw = (request.form.get("hours") or "").strip()
    hours = parse_int(raw, max_value=100_000)
    starts = form_date(request.form.get("valid_from"))
    try:
        if raw and hours is None:
            raise DomainError("Informe um número inteiro de horas.")
        if starts is None:
            raise DomainError("Informe a data de início da vigência.")
        sla.schedule_limit(db.session, current_actor(), status, hours or None, starts, sla.local_today())
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("operations.sla_limits"), 303)
    label = LABELS.get(status, status)  # type: ignore[call-overload]
    flash(f"Limite de “{label}” agendado a partir de {starts:%d/%m/%Y}.", "success")
    return redirect(url_for("operations.sla_limits"), 303)
