"""Operações: landing page."""

from __future__ import annotations

from flask import Response

from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.htmx import render
from portal.web.operations import bp


@bp.route("/")
@require(Permission.OPERATIONS)
def index() -> Response:
    return render("operations/index.html")
