"""Operações area."""

from flask import Blueprint

bp = Blueprint("operations", __name__, url_prefix="/operations")

from portal.web.operations import views  # noqa: E402,F401
