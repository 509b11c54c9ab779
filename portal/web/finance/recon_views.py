"""Reconciliation pages (read side): by bank and period, divergences, aging, exposure, a
contract's lines and money received; each with an export of exactly its rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, request

from portal.commissions.ledger import check_period
from portal.commissions.overview import open_period
from portal.commissions.reconciliation import overview, received, rules
from portal.commissions.reconciliation.models import GLOBAL
from portal.commissions.reconciliation.service import STATUS_LABELS, reconcile
from portal.commissions.reconciliation.summary import divergent_items, summarize
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.bank_names import registered_banks
from portal.web.exports import export_response
from portal.web.finance import bp
from portal.web.finance import recon_tables as grids
from portal.web.finance.forms import ReceivedForm, RulesForm, StatementForm
from portal.web.htmx import render

VIEW = (Permission.FINANCE, Permission.COMMISSIONS_VIEW)
EXPORTS = ("rollup", "items", "aging", "exposure", "received")
ALL_PERIODS = "todos"
# Pages (and their exports) that open on one period: recomputing every period of the ledger
# at each view grew with the ledger (28 s at 3,000,000 proposals). "todos" still asks for all.
SCOPED = ("rollup", "items")


def today() -> date:
    """The day the aging and "missing after N days" count to (tests set it)."""
    return date.today()


def bank_names() -> dict[str, str]:
    """The bank registry, code → name (cached per request by `registered_banks`)."""
    return registered_banks()


def default_period() -> str:
    """The period a reconciliation page opens on: finance's open period, else this month."""
    return open_period(db.session) or f"{today():%Y-%m}"


def _period(scoped: bool, contract: str) -> tuple[str, bool]:
    """(period, all periods asked for): no period at all opens a scoped page on the default
    one, unless a contract is searched (a contract's items span its periods)."""
    raw = request.args.get("period")
    if raw is None:
        return ("", True) if contract or not scoped else (default_period(), False)
    raw = raw.strip()
    if not raw or raw.lower() == ALL_PERIODS:
        return "", True
    try:
        return check_period(raw), False
    except DomainError:
        return ("", True) if contract or not scoped else (default_period(), False)


def _filters(scoped: bool = False) -> dict[str, str]:
    names = bank_names()
    bank = (request.args.get("bank") or "").strip()
    contract = (request.args.get("contract") or "").strip()[:60]
    period, every = _period(scoped, contract)
    outcome = request.args.get("outcome", "")
    status = request.args.get("status", "")
    return {
        "bank": bank if bank in names else "",
        "period": period,
        "all_periods": "1" if every and scoped else "",
        "outcome": outcome if outcome in dict(grids.OUTCOME_CHOICES) else "",
        "status": status if status in STATUS_LABELS else "",
        "contract": contract,
    }


def _page(template: str, grid: grids.Grid, scoped: bool = False, **context: Any) -> Response:
    return render(
        template,
        block="results",
        grid=grid,
        filters=_filters(scoped),
        all_periods=ALL_PERIODS,
        banks=sorted(bank_names().items(), key=lambda x: x[1]),
        **context,
    )


def _grid(kind: str) -> tuple[grids.Grid, str]:
    f, names = _filters(kind in SCOPED), bank_names()
    if kind == "rollup":
        summary = summarize(db.session, as_of=today(), bank=f["bank"], period=f["period"])
        return grids.rollup_grid(summary.rollup, names), "conciliacao"
    if kind == "items":
        if f["period"]:
            found = divergent_items(db.session, as_of=today(), bank=f["bank"], period=f["period"])
        else:
            found = reconcile(db.session, as_of=today(), bank=f["bank"]).items
        views = [
            v
            for v in found
            if v.item.outcome.divergent
            and (not f["outcome"] or v.item.outcome.value == f["outcome"])
            and (v.status == f["status"] if f["status"] else v.is_open)
            and (not f["contract"] or f["contract"] in (v.key.contract, v.item.reported_contract))
        ]
        return grids.items_grid(views, names), "divergencias"
    if kind == "aging":
        result = reconcile(db.session, as_of=today(), bank=f["bank"])
        return grids.aging_grid(overview.aging(result.items), names), "envelhecimento"
    if kind == "exposure":
        return grids.exposure_grid(overview.exposure(db.session, today())), "exposicao"
    if kind == "received":
        return grids.received_grid(
            received.received_list(db.session, f["bank"], f["period"]), names
        ), "recebimentos"
    raise LookupError(kind)


@bp.route("/reconciliation")
@require(*VIEW)
def recon_overview() -> Response:
    return _page("finance/recon_overview.html", _grid("rollup")[0], scoped=True)


@bp.route("/reconciliation/items")
@require(*VIEW)
def recon_items() -> Response:
    return _page(
        "finance/recon_items.html",
        _grid("items")[0],
        scoped=True,
        outcomes=grids.OUTCOME_CHOICES,
        statuses=STATUS_LABELS,
    )


@bp.route("/reconciliation/aging")
@require(*VIEW)
def recon_aging() -> Response:
    return _page(
        "finance/recon_simple.html",
        _grid("aging")[0],
        title="Envelhecimento dos itens em aberto",
        kind="aging",
    )


@bp.route("/reconciliation/exposure")
@require(*VIEW)
def recon_exposure() -> Response:
    return _page(
        "finance/recon_simple.html", _grid("exposure")[0], title="Exposição por banco", kind="exposure"
    )


def _rules_in_force() -> list[tuple[str, Any]]:
    default, per_bank = rules.load_rules(db.session, rules.local_today())
    return [(GLOBAL, default), *sorted(per_bank.items())]


def received_page(status: int = 200, error: str | None = None) -> Response:
    choices = sorted(bank_names().items(), key=lambda x: x[1])
    form, upload, rules_form = (
        ReceivedForm(formdata=None),
        StatementForm(formdata=None),
        RulesForm(formdata=None),
    )
    form.bank_code.choices = choices
    upload.bank_code.choices = [("", "Identificar pelo histórico"), *choices]
    rules_form.bank_code.choices = [(GLOBAL, "Todos os bancos (padrão)"), *choices]
    response = _page(
        "finance/recon_received.html",
        _grid("received")[0],
        form=form,
        upload=upload,
        rules_form=rules_form,
        rules_in_force=_rules_in_force(),
        rules_history=rules.rules_history(db.session),
        today_date=rules.local_today(),
        error=error,
        names=dict(choices),
    )
    response.status_code = status
    return response


@bp.route("/reconciliation/received")
@require(*VIEW)
def recon_received() -> Response:
    return received_page()


@require(*VIEW)
def recon_export(kind: str, fmt: str) -> Response:
    """One grid's rows; each grid has its own endpoint (`finance.recon_<kind>_export`),
    so a recurring report names the grid by its endpoint alone."""
    if kind not in EXPORTS:
        abort(404)
    grid, name = _grid(kind)
    return export_response(fmt, name, grid.headers, grid.rows, "Conciliação")


for _kind in EXPORTS:
    bp.add_url_rule(
        f"/reconciliation/{_kind}/export.<fmt>",
        endpoint=f"recon_{_kind}_export",
        view_func=recon_export,
        defaults={"kind": _kind},
    )


@bp.route("/reconciliation/contract/<bank>/<path:contract>")
@require(*VIEW)
def recon_contract(bank: str, contract: str) -> Response:
    detail = overview.contract_detail(db.session, bank[:20], contract[:60])
    if request.args.get("fmt") in ("csv", "xlsx"):
        grid = grids.contract_grid(detail)
        return export_response(
            request.args["fmt"], "conciliacao-contrato", grid.headers, grid.rows, "Contrato"
        )
    return render(
        "finance/recon_contract.html",
        detail=detail,
        grid=grids.contract_grid(detail),
        bank_name=bank_names().get(bank, bank),
    )
