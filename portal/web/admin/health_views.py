"""Administração · Saúde do sistema: bank latency and error rate per bank (call log),
circuit breakers, job failures, status-sync lag, webhook rejections and the registered
health checks (backups register theirs); the call log list behind the figures; exports."""

from __future__ import annotations

from datetime import datetime

from flask import Response, request, url_for

from portal.banks.call_log import KIND_LABELS, BankCall
from portal.core.db import utcnow
from portal.core.jobs import kind_label
from portal.core.pagination import keyset_page
from portal.extensions import db
from portal.insights import health
from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.admin import bp
from portal.web.bank_names import registered_banks
from portal.web.bank_store import bank_store
from portal.web.exports import export_response, iter_query
from portal.web.htmx import render


def now() -> datetime:
    """The moment windows and lags count back from (tests set it)."""
    return utcnow()


def _window() -> str:
    window = request.args.get("window", "")
    return window if window in health.WINDOWS else health.DEFAULT_WINDOW


def _since(moment: datetime) -> datetime:
    return moment - health.WINDOWS[_window()][1]


def health_checks() -> list[health.HealthCheck]:
    """What every registered health check says now (the admin home shows them too)."""
    context = health.HealthContext(
        db.session,
        bank_store(),
        now(),
        links={
            "status_poll": url_for("admin.health_calls", kind="status_poll", window=_window()),
            "failed_jobs": url_for("jobs.index", status="failed"),
            "backups": url_for("admin.backups"),
        },
    )
    return health.run_checks(context)


@bp.route("/health")
@require(Permission.ADMIN)
def health_page() -> Response:
    moment = now()
    since = _since(moment)
    window = _window()
    calls = health.call_stats(db.session, since)
    rejections = health.webhook_rejections(db.session, since)
    with_calls = {s.bank_code for s in calls}
    return render(
        "admin/health.html",
        block="home",
        window=window,
        windows=health.WINDOWS,
        checks=health_checks(),
        calls=calls,
        rejections=rejections,
        webhook_only=[(code, count) for code, count in rejections if code not in with_calls],
        job_kind_label=kind_label,
        breakers=health.breaker_states(db.session, bank_store()),
        failures=health.job_failures(db.session, since),
        lags=health.sync_lags(db.session, moment),
        banks=registered_banks(),
    )


@bp.route("/health/export.<fmt>")
@require(Permission.ADMIN)
def health_export(fmt: str) -> Response:
    """The per-bank table of the page (calls, errors, latency, rejected webhooks)."""
    since = _since(now())
    names = registered_banks()
    rejected = dict(health.webhook_rejections(db.session, since))
    rows = [
        [names.get(s.bank_code, s.bank_code.upper()), s.calls, s.errors, s.error_rate, s.avg_latency_ms,
         s.max_latency_ms, rejected.get(s.bank_code, 0)]
        for s in health.call_stats(db.session, since)
    ]  # fmt: skip
    headers = [
        "Banco", "Chamadas", "Erros", "Taxa de erro (%)", "Latência média (ms)", "Latência máxima (ms)",
        "Webhooks recusados",
    ]  # fmt: skip
    return export_response(fmt, "saude-bancos", headers, rows, "Bancos")


def _call_filters() -> dict[str, object]:
    bank = request.args.get("bank", "")
    kind = request.args.get("kind", "")
    return {
        "bank": bank if bank in registered_banks() else "",
        "kind": kind if kind in KIND_LABELS else "",
        "errors_only": request.args.get("errors") == "1",
    }


@bp.route("/health/calls")
@require(Permission.ADMIN)
def health_calls() -> Response:
    filters = _call_filters()
    stmt = health.calls_query(_since(now()), **filters)  # type: ignore[arg-type]
    page = keyset_page(db.session, stmt, [BankCall.id], request.args.get("after"), 50, descending=True)
    return render(
        "admin/health_calls.html",
        block="results",
        page=page,
        filters=filters,
        window=_window(),
        windows=health.WINDOWS,
        kinds=KIND_LABELS,
        banks=registered_banks(),
    )


@bp.route("/health/calls/export.<fmt>")
@require(Permission.ADMIN)
def health_calls_export(fmt: str) -> Response:
    stmt = health.calls_query(_since(now()), **_call_filters())  # type: ignore[arg-type]
    names = registered_banks()
    rows = (
        [c.occurred_at, names.get(c.bank_code, c.bank_code.upper()), KIND_LABELS.get(c.kind, c.kind),
         c.outcome, "Sim" if c.is_error else "Não", c.latency_ms, c.detail]
        for c in iter_query(stmt, BankCall.id)
    )  # fmt: skip
    headers = ["Quando", "Banco", "Chamada", "Resultado", "Erro", "Latência (ms)", "Detalhe"]
    return export_response(fmt, "chamadas-bancos", headers, rows, "Chamadas")
