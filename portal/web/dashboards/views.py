"""Dashboard pages: one page for managers, supervisors and admins, its figures scoped by
`people.scope` in the insights queries; the page shows the summary and loads every other
table as its own section request (HTMX); HTMX filters re-render the figures block; each
table exports exactly what it shows (CSV/XLSX)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import abort, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core.db import utcnow
from portal.core.formats import money, number, percent
from portal.core.ints import parse_int
from portal.extensions import db
from portal.insights import dashboard
from portal.insights.filters import Cell, Filters, Link, Table, add_months
from portal.people.permissions import Permission
from portal.proposals import sla
from portal.proposals.listing import AGREEMENTS
from portal.proposals.models import PRODUCT_LABELS, Product
from portal.web.access import require
from portal.web.bank_names import registered_banks
from portal.web.dashboards import bp
from portal.web.exports import export_response
from portal.web.filters import LOCAL_TZ
from portal.web.htmx import render

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Where a figure's list lives, and who may open it.
LIST_ENDPOINTS = {
    "proposals": (
        ("operations.proposals", Permission.OPERATIONS),
        ("sales.my_proposals", Permission.PROPOSALS_VIEW),
    ),
    "ledger": (("finance.ledger_page", Permission.COMMISSIONS_VIEW),),
    "received": (("finance.recon_overview", Permission.COMMISSIONS_VIEW),),
}


def _month(value: str | None, default: str) -> str:
    value = (value or "").strip()
    return value if MONTH.match(value) else default


def filters_from(args: Any, current: str) -> Filters:
    """Filters from the query string; unknown values are ignored, never trusted."""
    first = _month(args.get("de"), current)
    last = _month(args.get("ate"), first)
    if last < first:
        first, last = last, first
    if first < add_months(last, -35):
        first = add_months(last, -35)  # at most 36 months on one page
    agreement = (args.get("agreement") or "").strip().upper()[:40]
    return Filters(
        month_from=first,
        month_to=last,
        bank=args.get("bank", "") if args.get("bank") in registered_banks() else "",
        product=args.get("product", "") if args.get("product") in {p.value for p in Product} else "",
        agreement=agreement,
        store_id=parse_int((args.get("store") or "").strip(), max_value=999_999_999),
        team_id=parse_int((args.get("team") or "").strip(), max_value=999_999_999),
    )


def _context(with_sla: bool = False) -> dashboard.Context:
    now = utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    filters = filters_from(request.args, today.isoformat()[:7])
    return dashboard.context(
        db.session,
        current_user,
        filters,
        now=now,
        today=today,
        bank_names=registered_banks(),
        sla_limits=sla.limits(db.session) if with_sla else None,
    )


def list_paths() -> dict[str, str]:
    """target → path of the list the user may open (the first their role allows)."""
    paths = {}
    for target, choices in LIST_ENDPOINTS.items():
        for endpoint, permission in choices:
            if current_user.can(permission):
                paths[target] = url_for(endpoint)
                break
    return paths


def link_maker(paths: dict[str, str]):
    """link → URL of the list behind a figure (None when the user may not open it); the
    paths are resolved once per page, not once per cell."""

    made: dict[Link, str] = {}  # one request's links: a row repeats its list in several cells

    def link_url(link: Link | None) -> str | None:
        if link is None or link.target not in paths:
            return None
        if link not in made:
            path = paths[link.target]
            made[link] = f"{path}?{urlencode(link.params)}" if link.params else path
        return made[link]

    return link_url


def cell_text(cell: Cell) -> str:
    """pt-BR display of a cell."""
    if cell.kind == "money":
        return money(cell.value)
    if cell.kind == "percent":
        return percent(cell.value)
    if cell.kind == "int":
        return number(cell.value, 0)
    return str(cell.value)


def chart_json(table: Table) -> str | None:
    """Chart.js data for the table's chart (labels = column 0), as JSON for a data attribute."""
    if table.chart is None or not table.rows:
        return None
    labels = [str(row[0].value) if row[0].kind == "text" else cell_text(row[0]) for row in table.rows]
    datasets = [
        {
            "label": table.headers[index],
            "data": [
                float(row[index].value) if isinstance(row[index].value, (int, Decimal)) else 0
                for row in table.rows
            ],
            "money": table.rows[0][index].kind == "money",
        }
        for index in table.chart.series
    ]
    return json.dumps({"type": table.chart.type, "labels": labels, "datasets": datasets})


def _helpers(ctx: dashboard.Context) -> dict[str, Any]:
    return {
        "query": ctx.filters.query_params(),
        "link_url": link_maker(list_paths()),
        "cell_text": cell_text,
        "chart_json": chart_json,
    }


def _page(block: str | None = "dashboard") -> Response:
    ctx = _context()
    tables = dashboard.page_tables(ctx)
    return render(
        "dashboards/index.html",
        block=block,
        tables=tables,
        sections=[(slug, dashboard.SECTION_TITLES[slug]) for slug in dashboard.SECTION_SLUGS],
        filters=ctx.filters,
        scoped=ctx.scope.units is not None,
        banks=registered_banks(),
        products=PRODUCT_LABELS,
        agreements=AGREEMENTS,
        stores=ctx.unit_choices.get("store", [])[:500],
        teams=ctx.unit_choices.get("team", [])[:500],
        **_helpers(ctx),
    )


@bp.route("/gestao")  # the manager's name for it; url_for gives "/" (the rule added first)
@bp.route("/")
@require(Permission.DASHBOARDS)
def index() -> Response:
    return _page()


@bp.route("/<slug>")  # after the fixed rules ("/gestao", "/export/…"), which win
@require(Permission.DASHBOARDS)
def section(slug: str) -> Response:
    """One table of the page (its chart, rows and exports), loaded by the page after
    itself (HTMX `load`) with the page's filters: each section is its own small request
    ("/dashboards/sla" the SLA table, which reads the pipeline with the clock)."""
    if slug not in dashboard.SECTION_SLUGS:
        abort(404)
    ctx = _context(with_sla=slug in dashboard.DEFERRED_SLUGS)
    table = dashboard.table(ctx, slug)
    return render("dashboards/_table.html", table=table, **_helpers(ctx))


@bp.route("/export/<slug>.<fmt>")
@require(Permission.DASHBOARDS)
def export(slug: str, fmt: str) -> Response:
    """One table as CSV or XLSX: its headers and the exact values it shows."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    table = dashboard.table(_context(with_sla=slug in dashboard.DEFERRED_SLUGS), slug)
    if table is None:
        abort(404)
    rows = [[_export_value(cell) for cell in row] for row in table.rows]
    return export_response(fmt, f"painel-{slug}", table.headers, rows, sheet_title=table.title[:31])


def _export_value(cell: Cell) -> Any:
    if cell.kind == "percent":
        return cell_text(cell)  # "12,50%": what the page shows
    return cell.value
