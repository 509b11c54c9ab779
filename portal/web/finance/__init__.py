"""Financeiro area: commission tables, plans, the ledger, periods."""

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")

from portal.web.finance import (  # noqa: E402,F401
    calculator_views,
    import_views,
    ledger_views,
    payout_views,
    period_views,
    plan_views,
    recon_action_views,
    recon_views,
    statement_views,
    table_views,
    views,
    whatif_views,
)
