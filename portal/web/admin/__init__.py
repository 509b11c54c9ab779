"""Administration area: users, audit log (org, banks and LGPD console come later)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import audit_views, backups_views, banks_views, privacy_views, views  # noqa: E402,F401
