"""Vendas: landing page."""

from __future__ import annotations

from flask import Response

from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.htmx import render
from portal.web.sales import bp


@bp.route("/")
@require(Permission.SALES)
def index() -> Response:
    return render("sales/index.html")
