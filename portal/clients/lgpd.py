"""LGPD console services: data-subject requests (15-day answer), security incidents
(3-business-day notification clock). Services flush, never commit; every change is audited.

Dates are days in Brasília, given by the caller (`today`), so a fake clock drives them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.clients.lgpd_models import IncidentSeverity, RequestKind, SecurityIncident, SubjectRequest
from portal.clients.models import Client
from portal.core import audit
from portal.core.audit import Actor
from portal.core.business_days import add_business_days, business_days_between
from portal.core.errors import Conflict, DomainError, NotFound

ANSWER_DAYS = 15  # LGPD art. 19, II: complete answer within 15 days of the request
NOTIFY_BUSINESS_DAYS = 3  # Resolução CD/ANPD 15/2024, art. 6


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


@dataclass(frozen=True)
class Clock:
    """Where a deadline stands on a day: open with days left, overdue, or done."""

    state: str  # "open", "overdue", "done", "done_late"
    days: int  # days left (open), days late (overdue / done_late), 0 otherwise
    label: str


def request_clock(request: SubjectRequest, today: date) -> Clock:
    if request.answered_on is not None:
        late = (request.answered_on - request.due_on).days
        if late > 0:
            return Clock("done_late", late, f"Respondida com {late} dia(s) de atraso")
        return Clock("done", 0, "Respondida no prazo")
    left = (request.due_on - today).days
    if left < 0:
        return Clock("overdue", -left, f"Atrasada há {-left} dia(s)")
    return Clock("open", left, "Vence hoje" if left == 0 else f"Faltam {left} dia(s)")


def register_request(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    received_on: date,
    today: date,
    client_id: int | None = None,
    reference: str = "",
    channel: str = "",
    notes: str = "",
) -> SubjectRequest:
    try:
        kind = RequestKind(kind).value
    except ValueError:
        raise DomainError("Escolha o tipo de solicitação.", field="kind") from None
    if received_on > today:
        raise DomainError("A data de recebimento não pode ser futura.", field="received_on")
    if client_id is not None and session.get(Client, client_id) is None:
        raise NotFound("Cliente não encontrado.")
    request = SubjectRequest(
        kind=kind,
        client_id=client_id,
        reference=_clean(reference, 60),
        channel=_clean(channel, 40),
        notes=_clean(notes, 500),
        received_on=received_on,
        due_on=received_on + timedelta(days=ANSWER_DAYS),
        created_by_label=actor.label,
    )
    return audit.add_recorded(
        session,
        actor,
        request,
        "privacy.request_registered",
        "privacy_request",
        {"kind": kind, "received_on": received_on.isoformat(), "client_id": client_id},
    )


def answer_request(
    session: Session, actor: Actor, request: SubjectRequest, answered_on: date, answer: str, today: date
) -> SubjectRequest:
    if request.answered_on is not None:
        raise Conflict("Esta solicitação já foi respondida.")
    if answered_on > today or answered_on < request.received_on:
        raise DomainError(
            f"A resposta deve ter data entre {request.received_on:%d/%m/%Y} e hoje.", field="answered_on"
        )
    summary = _clean(answer, 500)
    if len(summary) < 10:
        raise DomainError("Descreva a resposta dada ao titular (pelo menos 10 caracteres).", field="answer")
    request.answered_on = answered_on
    request.answer = summary
    request.answered_by_label = actor.label
    session.flush()
    audit.record(
        session,
        actor,
        "privacy.request_answered",
        f"privacy_request:{request.id}",
        {"answered_on": answered_on.isoformat(), "late_days": max(0, (answered_on - request.due_on).days)},
    )
    return request


def requests_query(state: str, today: date) -> Select:
    """Requests, optionally only open (not answered), overdue or answered."""
    stmt = select(SubjectRequest)
    if state == "open":
        stmt = stmt.where(SubjectRequest.answered_on.is_(None))
    elif state == "overdue":
        stmt = stmt.where(SubjectRequest.answered_on.is_(None), SubjectRequest.due_on < today)
    elif state == "answered":
        stmt = stmt.where(SubjectRequest.answered_on.is_not(None))
    return stmt


def get_request(session: Session, request_id: int) -> SubjectRequest:
    request = session.get(SubjectRequest, request_id)
    if request is None:
        raise NotFound("Solicitação não encontrada.")
    return request


# --- incidents --------------------------------------------------------------------------


def incident_clock(incident: SecurityIncident, today: date) -> Clock:
    """The 3-business-day clock: done when both the ANPD and the subjects were notified."""
    done_on = (
        max(incident.anpd_notified_on, incident.subjects_notified_on)
        if incident.anpd_notified_on and incident.subjects_notified_on
        else None
    )
    if done_on is not None:
        late = business_days_between(incident.notify_by, done_on)
        if late > 0:
            return Clock("done_late", late, f"Comunicado com {late} dia(s) útil(eis) de atraso")
        return Clock("done", 0, "Comunicado no prazo")
    if today > incident.notify_by:
        late = business_days_between(incident.notify_by, today)
        label = f"Prazo vencido em {incident.notify_by:%d/%m/%Y} ({late} dia(s) útil(eis))"
        return Clock("overdue", late, label)
    left = business_days_between(today, incident.notify_by)
    if left == 0:
        return Clock("open", 0, "Último dia para comunicar")
    return Clock("open", left, f"Faltam {left} dia(s) útil(eis)")


def register_incident(
    session: Session,
    actor: Actor,
    *,
    title: str,
    severity: str,
    known_on: date,
    today: date,
    description: str = "",
    data_categories: str = "",
    subjects_affected: int | None = None,
) -> SecurityIncident:
    clean_title = _clean(title, 150)
    if len(clean_title) < 5:
        raise DomainError("Dê um título ao incidente (pelo menos 5 caracteres).", field="title")
    try:
        severity = IncidentSeverity(severity).value
    except ValueError:
        raise DomainError("Escolha a gravidade.", field="severity") from None
    if known_on > today:
        raise DomainError("A data de ciência não pode ser futura.", field="known_on")
    if subjects_affected is not None and subjects_affected < 0:
        raise DomainError("Número de titulares inválido.", field="subjects_affected")
    incident = SecurityIncident(
        title=clean_title,
        description=(description or "").strip()[:2000],
        severity=severity,
        data_categories=_clean(data_categories, 300),
        subjects_affected=subjects_affected,
        known_on=known_on,
        notify_by=add_business_days(known_on, NOTIFY_BUSINESS_DAYS),
        created_by_label=actor.label,
    )
    return audit.add_recorded(
        session,
        actor,
        incident,
        "privacy.incident_registered",
        "privacy_incident",
        {"severity": severity, "known_on": known_on.isoformat(), "notify_by": incident.notify_by.isoformat()},
    )


NOTIFIED = {"anpd": "anpd_notified_on", "subjects": "subjects_notified_on"}


def record_notification(
    session: Session, actor: Actor, incident: SecurityIncident, whom: str, on: date, today: date
) -> SecurityIncident:
    """The ANPD (`anpd`) or the subjects (`subjects`) were notified on `on`."""
    column = NOTIFIED.get(whom)
    if column is None:
        raise DomainError("Escolha quem foi comunicado.", field="whom")
    if getattr(incident, column) is not None:
        raise Conflict("Esta comunicação já foi registrada.")
    if on > today or on < incident.known_on:
        raise DomainError(f"A data deve estar entre {incident.known_on:%d/%m/%Y} e hoje.", field="on")
    setattr(incident, column, on)
    session.flush()
    audit.record(
        session,
        actor,
        "privacy.incident_notified",
        f"privacy_incident:{incident.id}",
        {"whom": whom, "on": on.isoformat(), "notify_by": incident.notify_by.isoformat()},
    )
    return incident


def incidents_query(state: str, today: date) -> Select:
    stmt = select(SecurityIncident)
    pending = SecurityIncident.anpd_notified_on.is_(None) | SecurityIncident.subjects_notified_on.is_(None)
    if state == "open":
        stmt = stmt.where(pending)
    elif state == "overdue":
        stmt = stmt.where(pending, SecurityIncident.notify_by < today)
    elif state == "done":
        stmt = stmt.where(~pending)
    return stmt


def get_incident(session: Session, incident_id: int) -> SecurityIncident:
    incident = session.get(SecurityIncident, incident_id)
    if incident is None:
        raise NotFound("Incidente não encontrado.")
    return incident
