"""Administration area: users, audit log (org, banks and LGPD console come later)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import (  # noqa: E402,F401
    audit_views,
    banks_views,
    effective_views,
    lgpd_views,
    privacy_views,
    retention_run_views,
    views,
)
