"""Administration area: users, audit log, banks, effective-dated parameters, LGPD console and
system health."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import (  # noqa: E402,F401
    audit_views,
    backups_views,
    banks_views,
    effective_views,
    health_views,
    lgpd_views,
    privacy_views,
    retention_run_views,
    views,
)
