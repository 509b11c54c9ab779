"""What the database remembers of backups: `backup_runs` rows written after each create,
verification and retention, and the freshness check of the health dashboard.
Writers flush, never commit (the caller's unit of work commits)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import SYSTEM, Actor
from portal.core.backups.models import BackupRun, RunStatus, Verification
from portal.core.backups.recovery import VerifyResult
from portal.core.backups.service import CreateOutcome
from portal.core.db import utcnow

MAX_AGE_HOURS = 26


def record_create(
    session: Session, outcome: CreateOutcome, finished_at: datetime, actor: Actor = SYSTEM
) -> list[BackupRun]:
    """One row per repository, plus an audit entry saying who backed up and where it failed."""
    audit.record(
        session,
        actor,
        "backup.created",
        f"backup:{outcome.backup_id}",
        {
            "ok": [result.location for result in outcome.results if result.ok],
            "failed": [result.location for result in outcome.results if not result.ok],
            "tables": len(outcome.manifest.tables),
            "rows": outcome.manifest.total_rows,
        },
    )
    rows = [
        BackupRun(
            backup_id=outcome.backup_id,
            repository=result.location[:500],
            snapshot_id=result.snapshot_id,
            status=RunStatus.OK if result.ok else RunStatus.FAILED,
            message=result.message[:500],
            size_bytes=outcome.size_bytes if result.ok else 0,
            tables=len(outcome.manifest.tables),
            rows=outcome.manifest.total_rows,
            created_at=outcome.created_at,
            finished_at=finished_at,
            verification=Verification.PENDING,
            verification_message="",
        )
        for result in outcome.results
    ]
    session.add_all(rows)
    session.flush()
    return rows


def record_failure(
    session: Session, backup_id: str, repositories: list[str], message: str, now: datetime
) -> None:
    """A backup that failed before reaching any repository (database unreadable, ...)."""
    for location in repositories:
        session.add(
            BackupRun(
                backup_id=backup_id, repository=location[:500], snapshot_id=None, status=RunStatus.FAILED,
                message=message[:500], size_bytes=0, tables=0, rows=0, created_at=now, finished_at=now,
                verification=Verification.PENDING, verification_message="",
            )
        )  # fmt: skip
    session.flush()


def record_verification(session: Session, backup_id: str, results: list[VerifyResult], now: datetime) -> None:
    for result in results:
        session.execute(
            update(BackupRun)
            .where(BackupRun.backup_id == backup_id, BackupRun.repository == result.location[:500])
            .values(
                verification=Verification.OK if result.ok else Verification.FAILED,
                verified_at=now,
                verification_message=" ".join(result.problems)[:500],
            )
        )
    session.flush()


def record_removed(session: Session, removed: dict[str, set[str]]) -> int:
    count = 0
    for location, ids in removed.items():
        if ids:
            count += session.execute(
                update(BackupRun)
                .where(BackupRun.repository == location[:500], BackupRun.backup_id.in_(sorted(ids)))
                .values(status=RunStatus.REMOVED)
            ).rowcount  # type: ignore[attr-defined]
    session.flush()
    return count


def recent_runs(session: Session, limit: int = 200) -> list[BackupRun]:
    stmt = select(BackupRun).order_by(BackupRun.created_at.desc(), BackupRun.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def last_success(session: Session) -> datetime | None:
    return session.scalar(select(func.max(BackupRun.created_at)).where(BackupRun.status != RunStatus.FAILED))


def backup_due(session: Session, now: datetime, every_hours: float = 23.0) -> bool:
    """The scheduled job backs up when the last good backup is older than `every_hours`."""
    last = last_success(session)
    return last is None or now - last >= timedelta(hours=every_hours)


def age_text(delta: timedelta) -> str:
    """`3 min`, `5 h`, `2 dia(s)` in pt-BR."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} dia(s)"


def backup_freshness(
    session: Session, now: datetime | None = None, max_age_hours: int = MAX_AGE_HOURS
) -> tuple[str, str]:
    """For the health dashboard: ("ok", detail) while the last successful backup is at
    most `max_age_hours` old, ("alert", detail) when it is older or there is none."""
    now = now or utcnow()
    last = last_success(session)
    if last is None:
        return "alert", "Nenhum backup concluído até agora."
    age = now - last
    if age > timedelta(hours=max_age_hours):
        return "alert", f"Último backup concluído há {age_text(age)} (limite de {max_age_hours} h)."
    return "ok", f"Último backup concluído há {age_text(age)}."
