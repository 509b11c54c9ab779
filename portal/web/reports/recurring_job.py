"""Recurring exports: a periodic job runs every due definition as its owner.

The export is produced by the very view behind the list's export button, called inside
a request context of its own whose signed-in user is the owner: the view's
`@require(...)` checks the owner's permissions now, and its query applies the owner's
record scope now. The file is stored encrypted and lands on the owner's Relatórios page.
A deactivated owner's definitions are stopped; a refused export is recorded on the
definition (the next run is still scheduled).
"""

from __future__ import annotations

import logging
import re
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from portal.core.errors import DomainError, NotFound
from portal.core.jobs import JobContext, JobResult, job_kind, periodic, service_for
from portal.extensions import db
from portal.insights import reports
from portal.insights.report_models import RecurringReport, ReportKind
from portal.people.models import User
from portal.web.reports.lists import FORMAT_IN_QUERY, RECURRING_LISTS

log = logging.getLogger("portal.reports")

KIND = "reports.recurring.run"
EVERY_SECONDS = 600
_APPS: weakref.WeakSet[Flask] = weakref.WeakSet()
_FILENAME = re.compile(r'filename="([^"]+)"')


class ExportRefused(Exception):
    """The owner may not run this export now (permission, scope or bad filter)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def register_app(app: Flask) -> None:
    """Remember `app` so a job body (no app context) finds the app that owns its session."""
    _APPS.add(app)


def app_for(session: Session) -> Flask:
    service = service_for(session)
    for app in list(_APPS):
        if app.extensions.get("athenas.jobs") is service:
            return app
    raise RuntimeError("no app registered for this job service")


def run_export_as(app: Flask, owner_id: int, list_kind: str, query: str, fmt: str) -> ExportFile:
    """The file the export button of `list_kind` gives `owner` with these filters, now."""
    if list_kind not in RECURRING_LISTS:
        raise ExportRefused("Lista sem exportação recorrente.")
    if list_kind in FORMAT_IN_QUERY:
        path = app.url_map.bind("localhost").build(list_kind)
        query = "&".join(q for q in (query, urlencode({FORMAT_IN_QUERY[list_kind]: fmt})) if q)
    else:
        path = app.url_map.bind("localhost").build(list_kind, {"fmt": fmt})
    with app.app_context(), app.test_request_context(path, query_string=query, method="GET"):
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.active:
            raise ExportRefused("Usuário desativado.")
        g._login_user = owner  # what Flask-Login's current_user returns in this request
        if request.routing_exception is not None or request.endpoint != list_kind:
            raise ExportRefused("Endereço da exportação inválido.")
        view = app.view_functions[list_kind]
        try:
            returned: Any = view(**(request.view_args or {}))
            response = app.make_response(returned)
        except HTTPException as error:
            raise ExportRefused(f"Exportação recusada (HTTP {error.code}).") from None
        except (DomainError, NotFound) as error:
            raise ExportRefused(error.message) from None
        if response.status_code != 200:
            raise ExportRefused(f"Exportação recusada (HTTP {response.status_code}).")
        content = b"".join(response.iter_encoded())
        found = _FILENAME.search(response.headers.get("Content-Disposition", ""))
        filename = found.group(1) if found else f"exportacao.{fmt}"
        return ExportFile(content, filename, response.mimetype or reports.CONTENT_TYPES[fmt])


def run_definition(ctx: JobContext, app: Flask, definition_id: int) -> str:
    """Run one due definition; returns "ok", "stopped" or "failed"."""
    session = ctx.session
    at = reports.now()

    def load() -> tuple[int, str, str, str, str, bool]:
        d = session.get_one(RecurringReport, definition_id)
        owner = session.get(User, d.owner_id)
        return d.owner_id, d.list_kind, d.query, d.fmt, d.name, bool(owner and owner.active)

    owner_id, list_kind, query, fmt, name, owner_active = ctx.step(load)
    if not owner_active:

        def stop() -> None:
            reports.stop_for_inactive_owner(session.get_one(RecurringReport, definition_id))

        ctx.step(stop)
        return "stopped"
    try:
        export = run_export_as(app, owner_id, list_kind, query, fmt)
    except Exception as error:  # refused, or broken: recorded, and the next run still comes
        if isinstance(error, ExportRefused):
            message = error.message
        else:
            log.exception("recurring report %s: export failed", definition_id)
            message = "Erro inesperado ao gerar o arquivo."

        def failed() -> None:
            reports.finish_run(session.get_one(RecurringReport, definition_id), at, message)

        ctx.step(failed)
        return "failed"

    def store() -> None:
        definition = session.get_one(RecurringReport, definition_id)
        reports.store_report(
            session,
            ctx.storage_dir,
            export.content,
            kind=ReportKind.EXPORT,
            title=name,
            filename=export.filename,
            content_type=export.content_type,
            created_by="sistema (relatório recorrente)",
            owner_id=owner_id,
            definition_id=definition_id,
        )
        reports.finish_run(definition, at)

    ctx.step(store)
    return "ok"


@job_kind(KIND, label="Relatórios recorrentes", max_attempts=1)
def run_due_job(ctx: JobContext) -> JobResult:
    app = app_for(ctx.session)
    due = ctx.step(lambda: reports.due_ids(ctx.session, reports.now()))
    counts = {"ok": 0, "stopped": 0, "failed": 0}
    for done, definition_id in enumerate(due, start=1):
        try:
            counts[run_definition(ctx, app, definition_id)] += 1
        except Exception:  # one broken definition never blocks the others
            log.exception("recurring report %s failed", definition_id)
            counts["failed"] += 1
        ctx.report(done, len(due), f"{done} de {len(due)} relatório(s)")
    return JobResult(
        message=f"{counts['ok']} relatório(s) recorrente(s) gerado(s).",
        summary={"Gerados": counts["ok"], "Interrompidos": counts["stopped"], "Com erro": counts["failed"]},
        link="/reports/",
        link_label="Ver relatórios",
    )


periodic(KIND, EVERY_SECONDS)
