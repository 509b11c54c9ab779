"""LGPD console: data-subject requests (15-day answer) and the security-incident register
(3-business-day notification clock). Lists filter, page by keyset and export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, redirect, request, url_for
from sqlalchemy import Select
from werkzeug.wrappers import Response

from portal.clients import lgpd
from portal.clients import queries as client_queries
from portal.clients.lgpd_models import IncidentSeverity, RequestKind, SecurityIncident, SubjectRequest
from portal.clients.validation import cpf as clean_cpf
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.formats import TIMEZONE
from portal.core.ints import parse_int
from portal.core.pagination import keyset_page
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm
from portal.web.exports import export_response, iter_query
from portal.web.forms import form_date
from portal.web.htmx import render

REQUEST_STATES = {"": "Todas", "open": "Em aberto", "overdue": "Atrasadas", "answered": "Respondidas"}
INCIDENT_STATES = {
    "": "Todos",
    "open": "Comunicação pendente",
    "overdue": "Prazo vencido",
    "done": "Comunicados",
}


def today() -> date:
    """Today in Brasília (tests fake `utcnow` of this module)."""
    return utcnow().astimezone(TIMEZONE).date()


def _state(choices: dict[str, str]) -> str:
    state = request.args.get("state", "")
    return state if state in choices else ""


def _day(name: str) -> date:
    value = form_date(request.form.get(name))
    if value is None:
        raise DomainError("Informe a data (dd/mm/aaaa).", field=name)
    return value


def _check_session() -> None:
    if not ConfirmForm().validate_on_submit():
        raise DomainError("Sessão expirada: recarregue a página.")


def _list(template: str, query: Select, column: Any, **context: Any) -> Response:
    """A keyset page of `query` (newest first) rendered in the list's results block."""
    page = keyset_page(db.session, query, [column], request.args.get("after"), 50, True)
    return render(template, block="results", page=page, form=ConfirmForm(formdata=None), **context)


def _detail(template: str, item: Any, clock: Callable[[Any, date], Any]) -> Response:
    now = today()
    return render(template, item=item, clock=clock(item, now), today=now, form=ConfirmForm(formdata=None))


def _record(action: Callable[[], object], done: str, back: str) -> Response:
    """Run a register-on-the-record action; its DomainError becomes a flash, and back to the page."""
    try:
        action()
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(done, "success")
    return redirect(back, 303)


# --- data-subject requests ----------------------------------------------------------------


@bp.route("/privacy/requests")
@require(Permission.PRIVACY_MANAGE)
def privacy_requests() -> Response:
    state, now = _state(REQUEST_STATES), today()
    return _list(
        "admin/privacy/requests.html",
        lgpd.requests_query(state, now),
        SubjectRequest.id,
        state=state,
        states=REQUEST_STATES,
        kinds=RequestKind,
        clock=lambda r: lgpd.request_clock(r, now),
        today=now,
        error=None,
    )


@bp.route("/privacy/requests", methods=["POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_request_new() -> Response:
    _check_session()
    client_id = None
    raw_cpf = (request.form.get("cpf") or "").strip()
    try:
        if raw_cpf:
            found = client_queries.find_by_cpf(db.session, clean_cpf(raw_cpf))
            client_id = found.id if found is not None else None
        created = lgpd.register_request(
            db.session,
            current_actor(),
            kind=request.form.get("kind", ""),
            received_on=_day("received_on"),
            today=today(),
            client_id=client_id,
            reference=request.form.get("reference", ""),
            channel=request.form.get("channel", ""),
            notes=request.form.get("notes", ""),
        )
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("admin.privacy_requests"), 303)
    linked = "vinculada ao cliente" if client_id else "sem cliente vinculado"
    flash(f"Solicitação #{created.id} registrada ({linked}); prazo até {created.due_on:%d/%m/%Y}.", "success")
    return redirect(url_for("admin.privacy_request", request_id=created.id), 303)


@bp.route("/privacy/requests/<int:request_id>")
@require(Permission.PRIVACY_MANAGE)
def privacy_request(request_id: int) -> Response:
    return _detail("admin/privacy/request.html", lgpd.get_request(db.session, request_id), lgpd.request_clock)


@bp.route("/privacy/requests/<int:request_id>/answer", methods=["POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_request_answer(request_id: int) -> Response:
    item = lgpd.get_request(db.session, request_id)
    _check_session()
    return _record(
        lambda: lgpd.answer_request(
            db.session, current_actor(), item, _day("answered_on"), request.form.get("answer", ""), today()
        ),
        "Resposta registrada.",
        url_for("admin.privacy_request", request_id=item.id),
    )


@bp.route("/privacy/requests/export.<fmt>")
@require(Permission.PRIVACY_MANAGE)
def privacy_requests_export(fmt: str) -> Response:
    now = today()
    rows = (
        [
            r.id,
            r.kind_label,
            r.client_id or "",
            r.reference,
            r.received_on,
            r.due_on,
            r.answered_on or "",
            lgpd.request_clock(r, now).label,
        ]
        for r in iter_query(lgpd.requests_query(_state(REQUEST_STATES), now), SubjectRequest.id)
    )
    headers = ["Nº", "Tipo", "Cliente", "Protocolo", "Recebida em", "Prazo", "Respondida em", "Situação"]
    return export_response(fmt, "solicitacoes-titulares", headers, rows, "Solicitações")


# --- incidents -----------------------------------------------------------------------------


@bp.route("/privacy/incidents")
@require(Permission.PRIVACY_MANAGE)
def privacy_incidents() -> Response:
    state, now = _state(INCIDENT_STATES), today()
    return _list(
        "admin/privacy/incidents.html",
        lgpd.incidents_query(state, now),
        SecurityIncident.id,
        state=state,
        states=INCIDENT_STATES,
        severities=IncidentSeverity,
        clock=lambda i: lgpd.incident_clock(i, now),
        today=now,
    )


@bp.route("/privacy/incidents", methods=["POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_incident_new() -> Response:
    _check_session()
    raw_count = (request.form.get("subjects_affected") or "").strip()
    try:
        count = parse_int(raw_count, max_value=1_000_000_000)
        if raw_count and count is None:
            raise DomainError("Número de titulares inválido.", field="subjects_affected")
        created = lgpd.register_incident(
            db.session,
            current_actor(),
            title=request.form.get("title", ""),
            severity=request.form.get("severity", ""),
            known_on=_day("known_on"),
            today=today(),
            description=request.form.get("description", ""),
            data_categories=request.form.get("data_categories", ""),
            subjects_affected=count,
        )
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("admin.privacy_incidents"), 303)
    flash(f"Incidente #{created.id} registrado: comunicar até {created.notify_by:%d/%m/%Y}.", "warning")
    return redirect(url_for("admin.privacy_incident", incident_id=created.id), 303)


@bp.route("/privacy/incidents/<int:incident_id>")
@require(Permission.PRIVACY_MANAGE)
def privacy_incident(incident_id: int) -> Response:
    return _detail(
        "admin/privacy/incident.html", lgpd.get_incident(db.session, incident_id), lgpd.incident_clock
    )


@bp.route("/privacy/incidents/<int:incident_id>/notify", methods=["POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_incident_notify(incident_id: int) -> Response:
    item = lgpd.get_incident(db.session, incident_id)
    _check_session()
    return _record(
        lambda: lgpd.record_notification(
            db.session, current_actor(), item, request.form.get("whom", ""), _day("on"), today()
        ),
        "Comunicação registrada.",
        url_for("admin.privacy_incident", incident_id=item.id),
    )


@bp.route("/privacy/incidents/export.<fmt>")
@require(Permission.PRIVACY_MANAGE)
def privacy_incidents_export(fmt: str) -> Response:
    now = today()
    rows = (
        [
            i.id,
            i.title,
            i.severity_label,
            i.subjects_affected if i.subjects_affected is not None else "",
            i.known_on,
            i.notify_by,
            i.anpd_notified_on or "",
            i.subjects_notified_on or "",
            lgpd.incident_clock(i, now).label,
        ]
        for i in iter_query(lgpd.incidents_query(_state(INCIDENT_STATES), now), SecurityIncident.id)
    )
    headers = [
        "Nº",
        "Incidente",
        "Gravidade",
        "Titulares afetados",
        "Ciência em",
        "Comunicar até",
        "ANPD comunicada em",
        "Titulares comunicados em",
        "Situação",
    ]
    return export_response(fmt, "incidentes-seguranca", headers, rows, "Incidentes")
