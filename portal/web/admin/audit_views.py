"""Audit log browser: actions and targets in people's words, filters (actor, action,
target, period), keyset pages, CSV/XLSX export (audited like every export) and the
hash-chain verification with its result on the page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Response, request

from portal.core import audit, formats
from portal.core.audit import AuditEntry, ChainReport, EntryFilter, filtered_entries, verify_chain
from portal.core.pagination import keyset_page
from portal.extensions import db
from portal.insights.audit_targets import NOUNS, actor_names, describe_targets
from portal.people import services as user_services
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.admin import bp
from portal.web.admin.audit_catalogue import ACTION_PHRASES, action_phrase
from portal.web.exports import export_response, iter_query
from portal.web.htmx import render

PER_PAGE = 100
EXPORT_HEADERS = ["Nº", "Quando", "Quem", "Ação", "Alvo", "IP", "Código da ação", "Código do alvo"]


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def _bound(day: date | None, shift: int = 0) -> datetime | None:
    """Midnight in Brasília of `day` (+ `shift` days), as the aware bound of the period."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=shift), time.min, tzinfo=formats.TIMEZONE)


def _form() -> dict[str, Any]:
    args = request.args
    action = args.get("action", "")[:80]
    kind = args.get("target_kind", "")[:40]
    return {
        "actor": args.get("actor", "").strip()[:100],
        "action": action,
        "target_kind": kind if kind in NOUNS else "",
        "target_key": args.get("target_key", "").strip()[:150],
        "since": _day(args.get("since", "")),
        "until": _day(args.get("until", "")),
    }


def _filter(form: dict[str, Any]) -> EntryFilter:
    actor_ids: tuple[int, ...] = ()
    if form["actor"]:
        actor_ids = user_services.user_ids_named(db.session, form["actor"])
    return EntryFilter(
        actor=form["actor"],
        actor_ids=actor_ids,
        actions=(form["action"],) if form["action"] else (),
        target_kind=form["target_kind"],
        target_key=form["target_key"],
        since=_bound(form["since"]),
        until=_bound(form["until"], 1),
    )


@bp.route("/audit")
@require(Permission.AUDIT_VIEW)
def audit_log() -> Response:
    form = _form()
    page = keyset_page(
        db.session,
        filtered_entries(_filter(form)),
        [AuditEntry.id],
        request.args.get("after"),
        PER_PAGE,
        True,
    )
    targets = describe_targets(db.session, (e.target for e in page.items))
    report, when = last_report()
    broken = db.session.get(AuditEntry, report.broken_id) if report and report.broken_id else None
    if broken is not None:
        targets = {**targets, **describe_targets(db.session, [broken.target])}
    return render(
        "admin/audit.html",
        block="results",
        page=page,
        form=form,
        targets=targets,
        actors=actor_names(db.session, (e.actor_id for e in page.items)),
        report=report,
        when=when,
        broken=broken,
        phrase=action_phrase,
        actions=sorted(ACTION_PHRASES.items(), key=lambda item: item[1]),
        kinds=sorted(NOUNS.items(), key=lambda item: item[1]),
    )


def _export_rows(filters: EntryFilter):
    """Rows in id order, targets resolved per batch of 1000 by a session of the stream's own
    (a CSV streams after the request's session is done)."""
    session = db.new_session()
    batch: list[AuditEntry] = []

    def flush() -> list[list[Any]]:
        names = describe_targets(session, (e.target for e in batch))
        rows = [
            [
                e.id,
                formats.date_time(e.occurred_at, seconds=True),
                e.actor_label,
                action_phrase(e.action),
                names[e.target],
                e.ip or "",
                e.action,
                e.target,
            ]
            for e in batch
        ]
        batch.clear()
        return rows

    try:
        for entry in iter_query(filtered_entries(filters), AuditEntry.id):
            batch.append(entry)
            if len(batch) == 1000:
                yield from flush()
        if batch:
            yield from flush()
    finally:
        session.close()


@bp.route("/audit/export.<fmt>")
@require(Permission.AUDIT_VIEW)
def audit_export(fmt: str) -> Response:
    filters = _filter(_form())  # actor names resolved now, inside the request
    return export_response(fmt, "auditoria", EXPORT_HEADERS, _export_rows(filters), "Auditoria")


VERIFIED = "audit.chain_verified"


def _last_verification() -> AuditEntry | None:
    return audit.last_entry_of(db.session, VERIFIED)


def _report_page(report: ChainReport, when: AuditEntry | None) -> Response:
    broken = db.session.get(AuditEntry, report.broken_id) if report.broken_id else None
    return render(
        "admin/_audit_report.html",
        report=report,
        broken=broken,
        when=when,
        phrase=action_phrase,
        targets=describe_targets(db.session, [broken.target] if broken else []),
    )


@bp.route("/audit/verify", methods=["POST"])
@require(Permission.AUDIT_VIEW)
def audit_verify() -> Response:
    """Walk the whole chain now; the outcome is itself audited and shown until the next run."""
    report = verify_chain(db.session)
    details = {
        "checked": report.checked,
        "ok": report.ok,
        "broken_id": report.broken_id,
        "reason": report.reason,
    }
    entry = audit.record(db.session, current_actor(), VERIFIED, "audit_log", details)
    return _report_page(report, entry)


def last_report() -> tuple[ChainReport | None, AuditEntry | None]:
    """The result of the latest verification, read from its audit entry (no re-walk)."""
    entry = _last_verification()
    if entry is None:
        return None, None
    d = entry.details
    return ChainReport(int(d.get("checked", 0)), d.get("broken_id"), d.get("reason")), entry
