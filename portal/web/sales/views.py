"""Vendas: the home page opens on the user's own numbers (production and earnings of a
month against the target, pendencies, certification, disputes, last statements)."""

from __future__ import annotations

from datetime import date

from flask import Response, request
from flask_login import current_user

from portal.extensions import db
from portal.insights import homes
from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.filters import local_today
from portal.web.htmx import render
from portal.web.sales import bp


def today() -> date:
    """The day "this month" and "overdue" count from (tests set it)."""
    return local_today()


def chosen_period(day: date) -> tuple[str, list[str]]:
    """The `period` query argument when it is one of the offered months, else this month."""
    months = homes.recent_months(day)
    period = request.args.get("period", "")
    return (period if period in months else months[0]), months


@bp.route("/")
@require(Permission.SALES)
def index() -> Response:
    day = today()
    period, months = chosen_period(day)
    numbers = homes.agent_home(db.session, current_user, period, day)
    return render(
        "sales/index.html",
        block="home",
        numbers=numbers,
        months=months,
        today=day,
        cert_limit=homes.CERT_LIMIT,
    )
