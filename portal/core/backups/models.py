"""`backup_runs`: one row per backup per repository, written by the command and the job,
read by the admin page and the health check without calling restic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime
from portal.core.enums import LabeledEnum


class RunStatus(LabeledEnum):
    OK = "ok"
    FAILED = "failed"
    REMOVED = "removed"  # dropped by the retention policy


RunStatus.__labels__ = {
    RunStatus.OK: "Concluído",
    RunStatus.FAILED: "Falhou",
    RunStatus.REMOVED: "Removido (retenção)",
}


class Verification(LabeledEnum):
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"


Verification.__labels__ = {
    Verification.PENDING: "Não verificado",
    Verification.OK: "Verificado",
    Verification.FAILED: "Falhou na verificação",
}


class BackupRun(Base):
    """A backup in one repository: where, when, how big, and whether it was verified."""

    __tablename__ = "backup_runs"
    __table_args__ = (
        UniqueConstraint("backup_id", "repository"),
        Index("ix_backup_runs_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backup_id: Mapped[str] = mapped_column(String(40), index=True)
    repository: Mapped[str] = mapped_column(String(500))  # masked location
    snapshot_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(String(500), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    tables: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verification: Mapped[str] = mapped_column(String(10), default=Verification.PENDING)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_message: Mapped[str] = mapped_column(String(500), default="")
