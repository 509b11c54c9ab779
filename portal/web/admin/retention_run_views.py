"""Retention runs: start the routine (flag, optionally anonymise) and read its history."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.clients import privacy
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import retention_runs
from portal.web.access import current_actor, require
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm
from portal.web.htmx import render


@bp.route("/privacy/retention/runs")
@require(Permission.PRIVACY_MANAGE)
def privacy_retention_runs() -> Response:
    return render(
        "admin/privacy/retention_runs.html",
        runs=retention_runs.runs(db.session),
        form=ConfirmForm(formdata=None),
        default_years=privacy.DEFAULT_RETENTION_YEARS,
    )


@bp.route("/privacy/retention/runs", methods=["POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_retention_run_start() -> Response:
    if not ConfirmForm().validate_on_submit():
        raise DomainError("Sessão expirada: recarregue a página.")
    years = parse_int(request.form.get("years", ""), max_value=100)
    grace = parse_int(request.form.get("grace_days", ""), max_value=10_000)
    anonymise = request.form.get("anonymise") == "1"
    if anonymise and (request.form.get("confirmation") or "").strip().upper() != "ANONIMIZAR":
        flash("Digite ANONIMIZAR para confirmar a anonimização automática.", "danger")
        return redirect(url_for("admin.privacy_retention_runs"), 303)
    try:
        run = retention_runs.start_run(
            db.session,
            current_actor(),
            years if years is not None else privacy.DEFAULT_RETENTION_YEARS,
            anonymise,
            grace if grace is not None else 30,
        )
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("admin.privacy_retention_runs"), 303)
    flash(f"Rotina de retenção #{run.id} iniciada.", "success")
    return redirect(url_for("jobs.detail", job_id=run.job_id), 303)
