"""Operações area."""

from flask import Blueprint

bp = Blueprint("operations", __name__, url_prefix="/operations")

from portal.web.operations import (  # noqa: E402,F401
    pipeline_actions,
    pipeline_intake,
    pipeline_settings,
    pipeline_views,
    sla_schedule_views,
    views,
)
