"""Vendas area."""

from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/sales")

from portal.web.sales import bank_views, client_actions, clients, commissions, proposals, views  # noqa: E402,F401
