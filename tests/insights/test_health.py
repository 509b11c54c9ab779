"""System health figures: latency and error rate per bank from the call log, webhook
rejections, circuit breakers from the shared store, job failures, status-sync lag, and
the registry of checks other modules add to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.banks.call_log import record_call
from portal.banks.resilience import CircuitBreaker
from portal.banks.state import MemoryStore
from portal.banks.types import Capability
from portal.core.backups.models import BackupRun
from portal.core.jobs.models import Job
from portal.insights import health
from tests import factories

NOW = datetime(2026, 6, 15, 15, 0, tzinfo=UTC)
SINCE = NOW - timedelta(hours=24)


def _calls(db) -> None:
    at = NOW - timedelta(hours=1)
    record_call(db, "facta", "lookup", "ok", 100, at=at)
    record_call(db, "facta", "lookup", "ok", 300, at=at)
    record_call(db, "facta", "simulation", "timeout", 1500, at=at)
    record_call(db, "facta", "lookup", "rejected", 200, at=at)  # the bank said no: not an error
    record_call(db, "facta", "lookup", "unavailable", 900, at=NOW - timedelta(hours=30))  # too old
    record_call(db, "daycoval", "status_poll", "unavailable", 50, at=at)
    record_call(db, "daycoval", "webhook", "rejected_signature", detail="assinatura inválida", at=at)
    record_call(db, "daycoval", "webhook", "ok", at=at)
    record_call(db, "c6", "webhook", "unreadable", at=at)
    db.flush()


def test_latency_and_error_rate_per_bank_by_hand(db):
    _calls(db)
    stats = {s.bank_code: s for s in health.call_stats(db, SINCE)}
    assert set(stats) == {"facta", "daycoval"}  # webhooks are not calls to the bank
    facta = stats["facta"]
    # 4 calls in the window; 1 error (the timeout); average (100 + 300 + 1500 + 200) / 4 = 525.
    assert (facta.calls, facta.errors, facta.avg_latency_ms, facta.max_latency_ms) == (4, 1, 525, 1500)
    assert str(facta.error_rate) == "25.0"
    daycoval = stats["daycoval"]
    assert (daycoval.calls, daycoval.errors, str(daycoval.error_rate)) == (1, 1, "100.0")
    assert health.webhook_rejections(db, SINCE) == [("c6", 1), ("daycoval", 1)]
    errors = db.scalars(health.calls_query(SINCE, bank="facta", errors_only=True)).all()
    assert [c.outcome for c in errors] == ["timeout"]


def test_breakers_read_the_shared_store(db):
    factories.bank(db, "facta", name="Facta", breaker_threshold=2)
    factories.bank(db, "daycoval", name="Daycoval", breaker_threshold=2)
    factories.bank(db, "master", name="Banco Master", enabled=False)
    store = MemoryStore()
    breaker = CircuitBreaker(store, "facta", "Facta", threshold=2, cooldown_s=60)
    breaker.record_failure()
    breaker.record_failure()
    rows = {r.bank_code: r.state_label for r in health.breaker_states(db, store)}
    assert rows == {"facta": "Aberto", "daycoval": "Fechado"}


def test_job_failures_in_the_window_per_kind(db):
    for kind, finished in [("a", NOW - timedelta(hours=2)), ("a", NOW - timedelta(hours=3)),
                           ("b", NOW - timedelta(hours=5)), ("b", NOW - timedelta(days=3))]:  # fmt: skip
        db.add(Job(kind=kind, actor_label="x", status="failed", finished_at=finished))
    db.add(Job(kind="c", actor_label="x", status="done", finished_at=NOW))
    db.flush()
    assert health.job_failures(db, SINCE) == [("a", 2), ("b", 1)]


def test_status_sync_lag_per_pollable_bank(db):
    factories.bank(db, "facta", name="Facta", status_synced_at=NOW - timedelta(minutes=20))
    factories.bank(db, "daycoval", name="Daycoval", status_synced_at=NOW - timedelta(minutes=4))
    factories.bank(db, "c6", name="C6", capabilities=[Capability.BENEFIT_QUERY])  # no status API
    factories.bank(db, "master", name="Master", status_synced_at=None)
    lags = {lag.bank_code: (lag.lag_minutes, lag.late) for lag in health.sync_lags(db, NOW)}
    assert lags == {"facta": (20, True), "daycoval": (4, False), "master": (None, True)}


@pytest.fixture
def extra_checks():
    names: list[str] = []
    yield names
    for name in names:
        health.unregister_check(name)


def test_registered_checks_are_listed_and_a_broken_one_shows_as_failed(db, extra_checks):
    @health.register_check("Cópias de segurança (teste)")
    def _backup(context):
        return health.HealthCheck("Cópias de segurança (teste)", health.OK, "Última cópia há 2 h", "/x")

    @health.register_check("Verificação quebrada (teste)")
    def _broken(context):
        raise RuntimeError("boom")

    extra_checks += ["Cópias de segurança (teste)", "Verificação quebrada (teste)"]
    results = {c.name: c for c in health.run_checks(health.HealthContext(db, MemoryStore(), NOW))}
    assert results["Cópias de segurança (teste)"].status_label == "OK"
    assert results["Cópias de segurança (teste)"].link == "/x"
    assert results["Verificação quebrada (teste)"].status_label == "Falha"
    assert results["Disjuntores dos bancos"].status == health.UNKNOWN  # no bank enabled here


def test_call_log_prune_keeps_the_last_30_days(db):
    from portal.banks.call_log import BankCall
    from portal.banks.call_log_job import prune

    record_call(db, "facta", "lookup", "ok", 10, at=NOW - timedelta(days=31))
    record_call(db, "facta", "lookup", "ok", 10, at=NOW - timedelta(days=29))
    db.flush()
    assert prune(db, NOW - timedelta(days=30)) == 1
    assert [c.occurred_at for c in db.query(BankCall)] == [NOW - timedelta(days=29)]


def test_the_jobs_check_warns_on_failures_of_the_last_day(db):
    db.add(Job(kind="a", actor_label="x", status="failed", finished_at=NOW - timedelta(hours=3)))
    db.flush()
    checks = {c.name: c for c in health.run_checks(health.HealthContext(db, MemoryStore(), NOW))}
    assert checks["Tarefas em segundo plano"].status_label == "Atenção"
    assert checks["Tarefas em segundo plano"].detail == "1 falha(s) nas últimas 24 horas."


def _backup(db, status: str, hours_ago: int) -> None:
    at = NOW - timedelta(hours=hours_ago)
    db.add(
        BackupRun(
            backup_id=f"b-{status}-{hours_ago}",
            repository="/srv/backups",
            status=status,
            created_at=at,
            finished_at=at,
        )
    )
    db.flush()


def test_a_missed_backup_is_an_alert_on_the_health_page(db):
    def backups():
        return {c.name: c for c in health.run_checks(health.HealthContext(db, MemoryStore(), NOW))}["Backups"]

    assert (backups().status_label, backups().detail) == ("Falha", "Nenhum backup concluído até agora.")
    _backup(db, "failed", 2)  # a failed run does not count
    assert backups().status_label == "Falha"
    _backup(db, "ok", 30)
    assert (backups().status_label, backups().detail) == (
        "Falha",
        "Último backup concluído há 30 h (limite de 26 h).",
    )
    _backup(db, "ok", 5)
    assert (backups().status_label, backups().detail) == ("OK", "Último backup concluído há 5 h.")
