"""The "Relatórios" page's domain: stored report files (encrypted at rest, like statement
PDFs) and recurring export definitions.

- A company report (the monthly workbook, ``owner_id`` NULL) is seen by users holding
  `Permission.REPORTS_COMPANY` whose record scope is the whole company; a recurring
  export's files only by their owner. Anyone else gets the same "not found".
- A recurring export runs at 06:00 (São Paulo) of the next day, Monday or first of the
  month after each run; it runs as its owner, so it holds what the owner's export
  button would give at that moment. A deactivated owner's definitions stop.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from portal.core import audit, uploads
from portal.core.audit import Actor
from portal.core.business_days import is_first_business_day
from portal.core.crypto import get_keyring
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from portal.core.rotation import EncryptedFiles
from portal.core.text import required
from portal.insights.report_models import Frequency, RecurringReport, ReportFile, ReportKind
from portal.insights.workbook_data import LOCAL_TZ
from portal.people.models import User
from portal.people.permissions import Permission
from portal.people.scope import visible_collaborator_ids

# For `flask rotate-data-key`: every stored report file (path = associated data).
REPORT_FILES = EncryptedFiles(ReportFile.__table__.c.storage_path)  # type: ignore[arg-type]
NOT_FOUND = "Relatório não encontrado."
MISSING = "Arquivo do relatório não encontrado."
RUN_HOUR = time(6, 0)
FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def now() -> datetime:
    """The current moment (tests replace it: the recurring schedule's clock)."""
    return utcnow()


def local_today() -> date:
    """Today in São Paulo (tests replace it: the monthly workbook's clock)."""
    return now().astimezone(LOCAL_TZ).date()


def previous_period(day: date) -> str:
    first = day.replace(day=1) - timedelta(days=1)
    return f"{first:%Y-%m}"


# ------------------------------------------------------------------ files


def store_report(
    session: Session,
    storage_dir: str | Path,
    content: bytes,
    *,
    kind: ReportKind,
    title: str,
    filename: str,
    content_type: str,
    created_by: str,
    owner_id: int | None = None,
    period: str | None = None,
    definition_id: int | None = None,
) -> ReportFile:
    """Encrypt and write `content` under storage; record it for the Relatórios page."""
    stamp = now()
    extension = Path(filename).suffix or ".bin"
    relative = f"reports/{stamp:%Y-%m}/{secrets.token_hex(16)}{extension}"
    target = Path(storage_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    uploads.write_atomically(target, get_keyring().encrypt_bytes(content, relative))
    record = ReportFile(
        kind=kind.value,
        title=title[:200],
        period=period,
        owner_id=owner_id,
        definition_id=definition_id,
        filename=filename[:200],
        content_type=content_type,
        storage_path=relative,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_by_label=created_by[:200],
        created_at=stamp,
    )
    session.add(record)
    session.flush()
    return record


def read_report(storage_dir: str | Path, report: ReportFile) -> bytes:
    """The clear file (NotFound when missing; CryptoError when tampered)."""
    return uploads.read_stored(storage_dir, report.storage_path, MISSING)


def sees_company_reports(session: Session, user: User) -> bool:
    """Company reports need the permission and a company-wide record scope (a store
    manager sees only his store's records, so not the company's workbook)."""
    return user.can(Permission.REPORTS_COMPANY) and visible_collaborator_ids(session, user) is None


def reports_for(session: Session, user: User) -> Select:
    """The report files `user` may see, newest first."""
    visible = ReportFile.owner_id == user.id
    if sees_company_reports(session, user):
        visible = or_(visible, ReportFile.owner_id.is_(None))
    return select(ReportFile).where(visible).order_by(ReportFile.id.desc())


def get_report_for(session: Session, user: User, report_id: int) -> ReportFile:
    found = session.scalar(reports_for(session, user).where(ReportFile.id == report_id))
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def record_download(session: Session, actor: Actor, report: ReportFile) -> None:
    audit.record(
        session,
        actor,
        "report.downloaded",
        f"report_files:{report.id}",
        {"kind": report.kind, "period": report.period, "sha256": report.sha256},
    )


def workbook_exists(session: Session, period: str) -> bool:
    stmt = select(ReportFile.id).where(
        ReportFile.kind == ReportKind.WORKBOOK.value, ReportFile.period == period
    )
    return session.scalar(stmt.limit(1)) is not None


def workbook_due(session: Session, today: date) -> str | None:
    """The period whose workbook the schedule must generate today: the previous month,
    on the month's first business day, when none was generated yet."""
    if not is_first_business_day(today):
        return None
    period = previous_period(today)
    return None if workbook_exists(session, period) else period


# ------------------------------------------------------------------ recurring


def next_run(frequency: Frequency, after: datetime) -> datetime:
    """The first scheduled moment strictly after `after`: 06:00 São Paulo of the next
    day (daily), next Monday (weekly) or the first of the next month (monthly)."""
    local = after.astimezone(LOCAL_TZ)
    day = local.date()
    if frequency is Frequency.DAILY:
        candidate = day if local.time() < RUN_HOUR else day + timedelta(days=1)
    elif frequency is Frequency.WEEKLY:
        candidate = day + timedelta(days=(7 - day.weekday()) % 7)
        if candidate == day and local.time() >= RUN_HOUR:
            candidate += timedelta(days=7)
    else:
        candidate = day.replace(day=1)
        if candidate != day or local.time() >= RUN_HOUR:
            candidate = (candidate + timedelta(days=32)).replace(day=1)
    return datetime.combine(candidate, RUN_HOUR, LOCAL_TZ).astimezone(after.tzinfo)


def _frequency(value: str) -> Frequency:
    try:
        return Frequency(value)
    except ValueError:
        raise DomainError("Escolha a frequência: diária, semanal ou mensal.", field="frequency") from None


def create_recurring(
    session: Session,
    actor: Actor,
    owner: User,
    *,
    name: str,
    list_kind: str,
    query: str,
    fmt: str,
    frequency: str,
) -> RecurringReport:
    """Save a filtered list as a recurring export of `owner` (the caller checked that
    `list_kind` is an export the owner may run)."""
    clean = required(
        name, "Dê um nome ao relatório (pelo menos 3 caracteres).", field="name", min_length=3, max_length=120
    )
    if fmt not in FORMATS:
        raise DomainError("Escolha o formato: XLSX ou CSV.", field="fmt")
    if len(query) > 2000:
        raise DomainError("Filtros longos demais para um relatório recorrente.", field="query")
    chosen = _frequency(frequency)
    definition = RecurringReport(
        owner_id=owner.id,
        name=clean,
        list_kind=list_kind,
        query=query,
        fmt=fmt,
        frequency=chosen.value,
        active=True,
        next_run_at=next_run(chosen, now()),
        created_at=now(),
    )
    session.add(definition)
    session.flush()
    audit.record(
        session,
        actor,
        "recurring_report.created",
        f"recurring_reports:{definition.id}",
        {"list": list_kind, "frequency": chosen.value, "fmt": fmt},
    )
    return definition


def recurring_for(session: Session, user: User) -> list[RecurringReport]:
    stmt = select(RecurringReport).where(RecurringReport.owner_id == user.id).order_by(RecurringReport.id)
    return list(session.scalars(stmt))


def get_recurring_for(session: Session, user: User, definition_id: int) -> RecurringReport:
    found = session.get(RecurringReport, definition_id)
    if found is None or found.owner_id != user.id:
        raise NotFound(NOT_FOUND)
    return found


def set_active(session: Session, actor: Actor, definition: RecurringReport, active: bool) -> None:
    """Pause or resume; resuming schedules the next run from now (no backlog)."""
    definition.active = active
    if active:
        definition.next_run_at = next_run(Frequency(definition.frequency), now())
        definition.last_error = None
    action = "recurring_report.resumed" if active else "recurring_report.paused"
    audit.record(session, actor, action, f"recurring_reports:{definition.id}")
    session.flush()


def delete_recurring(session: Session, actor: Actor, definition: RecurringReport) -> None:
    """Delete the definition; files it produced stay on the page (unlinked)."""
    session.execute(
        update(ReportFile).where(ReportFile.definition_id == definition.id).values(definition_id=None)
    )
    audit.record(
        session,
        actor,
        "recurring_report.deleted",
        f"recurring_reports:{definition.id}",
        {"name": definition.name},
    )
    session.delete(definition)
    session.flush()


def due_ids(session: Session, at: datetime) -> list[int]:
    """Active definitions whose next run has come, oldest due first."""
    stmt = (
        select(RecurringReport.id)
        .where(RecurringReport.active.is_(True), RecurringReport.next_run_at <= at)
        .order_by(RecurringReport.next_run_at, RecurringReport.id)
    )
    return list(session.scalars(stmt))


def finish_run(definition: RecurringReport, at: datetime, error: str | None = None) -> None:
    """Record a run (or its failure) and schedule the next one after `at`."""
    definition.last_run_at = at
    definition.last_error = error[:300] if error else None
    definition.next_run_at = next_run(Frequency(definition.frequency), at)


def stop_for_inactive_owner(definition: RecurringReport) -> None:
    definition.active = False
    definition.last_error = "Usuário desativado: relatório interrompido."
