"""Relatórios: the monthly workbook and every user's recurring exports (/reports/)."""

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__, url_prefix="/reports")

from portal.web.reports import views  # noqa: E402,F401
from portal.web.reports.lists import RECURRING_LISTS  # noqa: E402
from portal.web.reports.recurring_job import register_app  # noqa: E402


def init_app(app: Flask) -> None:
    """Register the blueprint, let recurring jobs find this app, and tell the export
    buttons which lists can be saved as recurring reports."""
    app.register_blueprint(bp)
    register_app(app)

    # A global, not a context processor: the export macro is imported without context.
    app.jinja_env.globals["recurring_lists"] = RECURRING_LISTS
