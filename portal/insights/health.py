"""System health for admins: bank calls, circuit breakers, job failures, status-sync lag,
webhook rejections, and a registry of health checks other modules add to.

Figures come from stored facts only: the bank call log (`portal.banks.call_log`), the
shared bank state store (breakers), the `jobs` table and each bank's last status poll.
Nothing is estimated or invented: a module that knows something about the system's health
(the backups, for one) registers a check returning a `HealthCheck`, and the page lists what
the registered checks say. A check that raises is shown as failed, it never breaks the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.banks.call_log import NOT_ERRORS, BankCall
from portal.banks.models import Bank
from portal.banks.resilience import CircuitBreaker
from portal.banks.state import StateStore
from portal.banks.sync import pollable_banks
from portal.core.backups.runs import backup_freshness
from portal.core.jobs.models import Job, JobStatus

log = logging.getLogger("portal.insights")

WINDOWS: dict[str, tuple[str, timedelta]] = {
    "1h": ("Última hora", timedelta(hours=1)),
    "24h": ("Últimas 24 horas", timedelta(hours=24)),
    "7d": ("Últimos 7 dias", timedelta(days=7)),
}
DEFAULT_WINDOW = "24h"
#: The status sync runs every 5 minutes; three missed rounds is worth a look.
SYNC_LAG_WARNING = timedelta(minutes=15)

OK, WARNING, FAILURE, UNKNOWN = "ok", "warning", "failure", "unknown"
STATUS_LABELS = {OK: "OK", WARNING: "Atenção", FAILURE: "Falha", UNKNOWN: "Sem dados"}
BREAKER_LABELS = {"closed": "Fechado", "half_open": "Meio aberto", "open": "Aberto"}


# ---------------------------------------------------------------- registry of checks


@dataclass(frozen=True)
class HealthCheck:
    """One line of the health page: what, how it is, why, and where to look."""

    name: str
    status: str  # ok | warning | failure | unknown
    detail: str
    link: str | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class HealthContext:
    """What a check may use: the database session, the bank store, the moment."""

    session: Session
    store: StateStore
    now: datetime
    links: dict[str, str] = field(default_factory=dict)  # name → URL the web layer built


CheckFn = Callable[[HealthContext], HealthCheck | None]
_CHECKS: dict[str, CheckFn] = {}


def register_check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Decorator: add a health check under `name` (a second registration replaces it).
    The function returns a `HealthCheck`, or None when it has nothing to report."""

    def decorator(fn: CheckFn) -> CheckFn:
        _CHECKS[name] = fn
        return fn

    return decorator


def unregister_check(name: str) -> None:
    _CHECKS.pop(name, None)


def registered_checks() -> list[str]:
    return list(_CHECKS)


def run_checks(context: HealthContext) -> list[HealthCheck]:
    """Every registered check's answer, in registration order; a failing check is a
    "Falha" line naming it (the traceback goes to the log)."""
    results: list[HealthCheck] = []
    for name, fn in list(_CHECKS.items()):
        try:
            result = fn(context)
        except Exception:  # a broken check must not hide the others
            log.exception("health check failed name=%s", name)
            result = HealthCheck(name, FAILURE, "A verificação falhou ao executar (veja o log).")
        if result is not None:
            results.append(result)
    return results


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class CallStats:
    """One bank's calls in the window (webhooks excluded: the bank calls us there)."""

    bank_code: str
    calls: int
    errors: int
    avg_latency_ms: int | None
    max_latency_ms: int | None

    @property
    def error_rate(self) -> Decimal:
        """Errors as percent of calls (1 decimal)."""
        if not self.calls:
            return Decimal("0.0")
        return (Decimal(self.errors) * 100 / self.calls).quantize(Decimal("0.1"))


def calls_query(since: datetime, bank: str = "", kind: str = "", errors_only: bool = False) -> Select:
    """The call log rows behind the figures (the list page and its export)."""
    stmt = select(BankCall).where(BankCall.occurred_at >= since)
    if bank:
        stmt = stmt.where(BankCall.bank_code == bank)
    if kind:
        stmt = stmt.where(BankCall.kind == kind)
    if errors_only:
        stmt = stmt.where(BankCall.outcome.not_in(NOT_ERRORS))
    return stmt


def call_stats(session: Session, since: datetime) -> list[CallStats]:
    """Calls, errors and latency per bank since `since`: one grouped SELECT."""
    is_error = BankCall.outcome.not_in(NOT_ERRORS)
    stmt = (
        select(
            BankCall.bank_code,
            func.count(BankCall.id),
            func.count(BankCall.id).filter(is_error),
            func.avg(BankCall.latency_ms),
            func.max(BankCall.latency_ms),
        )
        .where(BankCall.occurred_at >= since, BankCall.kind != "webhook")
        .group_by(BankCall.bank_code)
        .order_by(BankCall.bank_code)
    )
    return [
        CallStats(code, calls, errors, None if avg is None else int(round(float(avg))), top)
        for code, calls, errors, avg, top in session.execute(stmt)
    ]


def webhook_rejections(session: Session, since: datetime) -> list[tuple[str, int]]:
    """(bank, refused webhooks) since `since`, banks with none left out."""
    stmt = (
        select(BankCall.bank_code, func.count(BankCall.id))
        .where(
            BankCall.occurred_at >= since,
            BankCall.kind == "webhook",
            BankCall.outcome.not_in(NOT_ERRORS),
        )
        .group_by(BankCall.bank_code)
        .order_by(BankCall.bank_code)
    )
    return [(code, count) for code, count in session.execute(stmt).tuples()]


@dataclass(frozen=True)
class BreakerRow:
    bank_code: str
    bank_name: str
    state: str

    @property
    def state_label(self) -> str:
        return BREAKER_LABELS.get(self.state, self.state)


def breaker_states(session: Session, store: StateStore) -> list[BreakerRow]:
    """The circuit breaker of every enabled bank, as every app server sees it (shared store)."""
    banks = session.scalars(select(Bank).where(Bank.enabled.is_(True)).order_by(Bank.name))
    return [
        BreakerRow(
            bank.code,
            bank.name,
            CircuitBreaker(
                store,
                bank.code,
                bank.name,
                threshold=bank.breaker_threshold,
                cooldown_s=bank.breaker_cooldown_s,
            ).state,
        )
        for bank in banks
    ]


def job_failures(session: Session, since: datetime) -> list[tuple[str, int]]:
    """(job kind, failed jobs) that finished since `since`, most failures first."""
    stmt = (
        select(Job.kind, func.count(Job.id))
        .where(Job.status == JobStatus.FAILED.value, Job.finished_at >= since)
        .group_by(Job.kind)
        .order_by(func.count(Job.id).desc(), Job.kind)
    )
    return [(kind, count) for kind, count in session.execute(stmt).tuples()]


@dataclass(frozen=True)
class SyncLag:
    bank_code: str
    bank_name: str
    synced_at: datetime | None
    lag: timedelta | None  # None: never synced

    @property
    def late(self) -> bool:
        return self.lag is None or self.lag > SYNC_LAG_WARNING

    @property
    def lag_minutes(self) -> int | None:
        return None if self.lag is None else int(self.lag.total_seconds() // 60)


def sync_lags(session: Session, now: datetime) -> list[SyncLag]:
    """How long ago each bank that reports statuses by API was last polled successfully."""
    return [
        SyncLag(
            bank.code,
            bank.name,
            bank.status_synced_at,
            None if bank.status_synced_at is None else max(now - bank.status_synced_at, timedelta(0)),
        )
        for bank in pollable_banks(session)
    ]


# ---------------------------------------------------------------- built-in checks


@register_check("Disjuntores dos bancos")
def _breakers_check(context: HealthContext) -> HealthCheck:
    rows = breaker_states(context.session, context.store)
    opened = [r.bank_name for r in rows if r.state != "closed"]
    if not rows:
        return HealthCheck("Disjuntores dos bancos", UNKNOWN, "Nenhum banco habilitado.")
    if opened:
        return HealthCheck("Disjuntores dos bancos", FAILURE, "Abertos: " + ", ".join(opened) + ".")
    return HealthCheck("Disjuntores dos bancos", OK, f"{len(rows)} banco(s), todos fechados.")


@register_check("Sincronização de status")
def _sync_check(context: HealthContext) -> HealthCheck:
    lags = sync_lags(context.session, context.now)
    late = [lag.bank_name for lag in lags if lag.late]
    link = context.links.get("status_poll")
    if not lags:
        return HealthCheck("Sincronização de status", UNKNOWN, "Nenhum banco sincroniza status por API.")
    if late:
        return HealthCheck("Sincronização de status", WARNING, "Atrasada: " + ", ".join(late) + ".", link)
    return HealthCheck("Sincronização de status", OK, f"{len(lags)} banco(s) em dia.", link)


@register_check("Tarefas em segundo plano")
def _jobs_check(context: HealthContext) -> HealthCheck:
    failures = job_failures(context.session, context.now - timedelta(hours=24))
    total = sum(count for _, count in failures)
    link = context.links.get("failed_jobs")
    if total:
        return HealthCheck(
            "Tarefas em segundo plano", WARNING, f"{total} falha(s) nas últimas 24 horas.", link
        )
    return HealthCheck("Tarefas em segundo plano", OK, "Nenhuma falha nas últimas 24 horas.", link)


@register_check("Backups")
def _backups_check(context: HealthContext) -> HealthCheck:
    """A missed backup is an alert: the last successful one is older than the limit."""
    state, detail = backup_freshness(context.session, context.now)
    return HealthCheck("Backups", OK if state == "ok" else FAILURE, detail, context.links.get("backups"))
