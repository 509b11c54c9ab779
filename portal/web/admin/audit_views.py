"""Audit log browser and chain verification."""

from __future__ import annotations

from flask import Response, request

from portal.core.audit import AuditEntry, entries_query, verify_chain
from portal.core.pagination import keyset_page
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.admin import bp
from portal.web.htmx import render


@bp.route("/audit")
@require(Permission.AUDIT_VIEW)
def audit_log() -> Response:
    action = request.args.get("action", "")[:80]
    page = keyset_page(
        db.session,
        entries_query(action=action),
        [AuditEntry.id],
        request.args.get("after"),
        100,
        descending=True,
    )
    return render("admin/audit.html", block="results", page=page, action=action, report=None)


@bp.route("/audit/verify")
@require(Permission.AUDIT_VIEW)
def audit_verify() -> Response:
    report = verify_chain(db.session)
    return render("admin/_audit_report.html", report=report)
