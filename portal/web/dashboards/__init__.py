"""Painéis: the manager's dashboard, the supervisor's (scoped to the team) and exports."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")

from portal.web.dashboards import views  # noqa: E402,F401
