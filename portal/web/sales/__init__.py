"""Vendas area."""

from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/sales")

from portal.web.sales import (  # noqa: E402,F401
    bank_views,
    client_actions,
    clients,
    commissions,
    proposals,
    statements,
    views,
)
