"""Financeiro area."""

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")

from portal.web.finance import (  # noqa: E402,F401
    calculator_views,
    views,  # noqa: E402,F401
    whatif_views,
)
