"""Everything that changes over time, in one read-only page for the administrator: what is
in force today, what is scheduled, and who changed what (old → new). Each block links to
the page where its owner schedules a new value (operations: SLA; finance: reconciliation,
overrides, commission tables with their clawback windows; admin: regulatory parameters)."""

from __future__ import annotations

from flask import Response

from portal.banks import rules as regulatory_rules
from portal.commissions import plans
from portal.commissions.reconciliation import rules as recon_rules
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import sla
from portal.proposals.statuses import LABELS
from portal.web.access import require
from portal.web.admin import bp
from portal.web.htmx import render


@bp.route("/parameters/history")
@require(Permission.PARAMETERS_MANAGE)
def effective_overview() -> Response:
    today = sla.local_today()
    regulatory = regulatory_rules.recent_versions(db.session)
    overrides = plans.recent_overrides(db.session)
    return render(
        "admin/effective.html",
        today=today,
        sla_limits=sla.limits(db.session, today),
        sla_history=sla.limit_history(db.session)[:50],
        recon_history=recon_rules.rules_history(db.session)[:50],
        regulatory=regulatory,
        overrides=overrides,
        status_labels=LABELS,
    )
