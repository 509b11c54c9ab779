"""Financeiro: landing page."""

from __future__ import annotations

from flask import Response

from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.finance import bp
from portal.web.htmx import render


@bp.route("/")
@require(Permission.FINANCE)
def index() -> Response:
    return render("finance/index.html")
