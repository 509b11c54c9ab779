"""Backups (/admin/backups): the runs recorded in `backup_runs` with their verification
state and age, the freshness alert, and "Fazer backup agora" (a job)."""

from __future__ import annotations

from flask import redirect, url_for
from werkzeug.wrappers import Response

from portal.core.backups import get_settings, runs
from portal.core.backups.job import CREATE_KIND
from portal.core.backups.models import RunStatus, Verification
from portal.core.db import utcnow
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm
from portal.web.exports import export_response
from portal.web.htmx import hx_redirect, is_htmx, render


@bp.route("/backups")
@require(Permission.BACKUPS_MANAGE)
def backups() -> Response:
    now = utcnow()
    status, detail = runs.backup_freshness(db.session, now)
    return render(
        "admin/backups.html",
        items=runs.recent_runs(db.session),
        now=now,
        age=runs.age_text,
        freshness=(status, detail),
        settings_line=get_settings().describe(),
        form=ConfirmForm(),
        RunStatus=RunStatus,
        Verification=Verification,
    )


@bp.route("/backups/export.<fmt>")
@require(Permission.BACKUPS_MANAGE)
def backups_export(fmt: str) -> Response:
    now = utcnow()
    rows = (
        [
            run.backup_id, run.created_at, run.repository, RunStatus(run.status).label, run.snapshot_id or "",
            run.size_bytes, run.tables, run.rows, Verification(run.verification).label, run.verified_at,
            runs.age_text(now - run.created_at), run.message or run.verification_message,
        ]
        for run in runs.recent_runs(db.session, limit=10_000)
    )  # fmt: skip
    headers = ["Backup", "Criado em", "Repositório", "Situação", "Snapshot", "Tamanho (bytes)",
               "Tabelas", "Linhas", "Verificação", "Verificado em", "Idade", "Mensagem"]  # fmt: skip
    return export_response(fmt, "backups", headers, rows, "Backups")


@bp.route("/backups/run", methods=["POST"])
@require(Permission.BACKUPS_MANAGE)
def backups_run() -> Response:
    from portal.core.errors import DomainError
    from portal.web.jobs.helpers import start_job

    if not ConfirmForm().validate_on_submit():
        raise DomainError("Formulário expirado: recarregue a página e tente de novo.")
    job = start_job(CREATE_KIND)
    target = url_for("jobs.detail", job_id=job.id)
    return hx_redirect(target) if is_htmx() else redirect(target, 303)
