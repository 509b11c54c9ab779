"""Keep the bank call log small: a daily job deletes rows older than the retention
(the health page looks back 7 days at most; 30 days leave room for an investigation)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.banks.call_log import BankCall
from portal.core.db import utcnow
from portal.core.jobs import JobContext, JobResult, job_kind, periodic

KIND = "bank-call-log-prune"
RETENTION = timedelta(days=30)
EVERY_SECONDS = 24 * 3600


def prune(session: Session, before: datetime) -> int:
    """Delete the call log rows older than `before`; returns how many."""
    result = session.execute(delete(BankCall).where(BankCall.occurred_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@job_kind(KIND, label="Limpar o registro de chamadas aos bancos", max_attempts=1)
def prune_job(ctx: JobContext) -> JobResult:
    removed = prune(ctx.session, utcnow() - RETENTION)
    return JobResult(
        message=f"{removed} registro(s) de chamadas com mais de 30 dias removido(s).",
        summary={"Removidos": removed},
    )


periodic(KIND, EVERY_SECONDS)
