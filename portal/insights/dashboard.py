"""The manager's dashboard (and the supervisor's, the same page scoped to the team):
every table the page shows, built from the rollups, plus targets and SLA breaches.

`build` returns every table; `table` one of them by slug (the exports rebuild only the
table they download, from the same function the page uses)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.commissions.models import CommissionPlan
from portal.insights import finance, production
from portal.insights.filters import Cell, Chart, Filters, Link, Scope, Table
from portal.people.models import Collaborator, OrgUnit, User
from portal.people.scope import visible_collaborator_ids
from portal.proposals import board
from portal.proposals.listing import ProposalFilters
from portal.proposals.models import PRODUCT_LABELS, Product
from portal.proposals.statuses import Status

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Context:
    """What every table needs: the session, the user's scope, the filters, the clock,
    and the names of banks (from the web layer's registry)."""

    session: Session
    user: User
    filters: Filters
    scope: Scope
    today: date
    now: datetime
    bank_names: dict[str, str]
    sla_limits: dict[str, int]
    unit_names: dict[int, str]
    unit_choices: dict[str, list[tuple[int, str]]]  # kind → the units the filters offer
    cache: dict = field(default_factory=dict)  # reads shared by several tables of one page

    @property
    def current_month(self) -> str:
        return self.today.isoformat()[:7]

    def bank(self, code: Any) -> str:
        return self.bank_names.get(code, code or "Sem banco")

    def product(self, code: Any) -> str:
        try:
            return PRODUCT_LABELS[Product(code)]
        except ValueError:
            return code or "Sem produto"

    def unit(self, unit_id: Any) -> str:
        return self.unit_names.get(unit_id, "Sem loja" if not unit_id else f"Unidade {unit_id}")


def context(
    session: Session,
    user: User,
    filters: Filters,
    *,
    now: datetime,
    today: date,
    bank_names: dict[str, str],
    sla_limits: dict[str, int] | None = None,
) -> Context:
    """A dashboard context for `user` (scope and unit names loaded once; the SLA limits
    only by the panel that needs them)."""
    scope = Scope.of(session, user, today)
    # One read of the units: whether each one is the user's to filter by comes with it.
    mine = literal(True) if scope.units is None else OrgUnit.id.in_(scope.units)
    names = select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, mine).order_by(OrgUnit.name)
    units: dict[int, str] = {}
    choices: dict[str, list[tuple[int, str]]] = {}
    for unit_id, name, kind, visible in session.execute(names):
        units[unit_id] = name
        if visible:
            choices.setdefault(kind, []).append((unit_id, name))
    return Context(session, user, filters, scope, today, now, bank_names, sla_limits or {}, units, choices)


def summary_table(ctx: Context) -> Table:
    """The key numbers of the period: production, rates, gains and losses, exposure."""
    figures = production.totals(ctx.session, ctx.filters, ctx.scope, ctx.cache)
    g = finance.total_gains(ctx.session, ctx.filters, ctx.scope, ctx.cache)
    exposure = finance.future_deferred_total(
        ctx.session, ctx.filters, ctx.scope, ctx.current_month, ctx.cache
    )
    params = ctx.filters.proposal_params()
    total, paid = figures.total(0), figures.bucket("paid", 0)
    ledger = {
        k: v for k, v in {"period": ctx.filters.single_month or "", "bank": ctx.filters.bank}.items() if v
    }
    rows = [
        ("Propostas digitadas", Cell(total, "int", Link.to("proposals", params))),
        ("Valor bruto digitado", Cell(figures.total(1), "money", Link.to("proposals", params))),
        ("Valor líquido digitado", Cell(figures.total(2), "money", Link.to("proposals", params))),
        ("Propostas pagas", Cell(paid, "int", Link.to("proposals", {**params, "bucket": "paid"}))),
        (
            "Valor bruto pago",
            Cell(figures.bucket("paid", 1), "money", Link.to("proposals", {**params, "bucket": "paid"})),
        ),
        (
            "Valor líquido pago",
            Cell(figures.bucket("paid", 2), "money", Link.to("proposals", {**params, "bucket": "paid"})),
        ),
        (
            "Conversão (digitadas → pagas)",
            Cell(production.rate(paid, total), "percent", Link.to("proposals", {**params, "bucket": "paid"})),
        ),
        (
            "Taxa de cancelamento",
            Cell(
                production.rate(figures.bucket("cancelled", 0), total),
                "percent",
                Link.to("proposals", {**params, "bucket": "cancelled"}),
            ),
        ),
        ("Comissão esperada", Cell(g.commission, "money", Link.to("ledger", {**ledger, "payee": "empresa"}))),
        ("Estornos", Cell(g.clawbacks, "money", Link.to("ledger", {**ledger, "kind": finance.CLAWBACK}))),
        ("Custo interno (repasses)", Cell(g.internal, "money", Link.to("ledger", ledger))),
        ("Margem líquida", Cell(g.margin, "money")),
        (
            "Diferido a receber (exposição)",
            Cell(
                exposure,
                "money",
                Link.to(
                    "ledger",
                    {"kind": finance.DEFERRED, "payee": "empresa", "bank": ctx.filters.bank}
                    if ctx.filters.bank
                    else {"kind": finance.DEFERRED, "payee": "empresa"},
                ),
            ),
        ),
    ]
    return Table(
        "resumo", "Resumo do período", ["Indicador", "Valor"], [[Cell(label), cell] for label, cell in rows]
    )


def store_ranking(ctx: Context) -> Table:
    data = production.grouped(ctx.session, ctx.filters, ctx.scope, "store_id", ctx.cache)
    ranked = sorted(data, key=lambda s: (-data[s].bucket("paid", 1), s))
    table = Table(
        "ranking-lojas",
        "Ranking de lojas (pagas no período)",
        ["Loja", "Posição", "Pagas", "Bruto pago", "Conversão"],
        chart=Chart("bar", (3,)),
    )
    for position, store in enumerate(ranked, start=1):
        params = ctx.filters.proposal_params(bucket="paid", **({"store": store} if store else {}))
        f = data[store]
        table.rows.append(
            [
                Cell(ctx.unit(store)),
                Cell(f"{position}º"),
                Cell(f.bucket("paid", 0), "int", Link.to("proposals", params)),
                Cell(f.bucket("paid", 1), "money", Link.to("proposals", params)),
                Cell(production.rate(f.bucket("paid", 0), f.total(0)), "percent"),
            ]
        )
    return table


def agent_names(session: Session) -> Callable[[int], str]:
    """A name lookup that loads the names it is first asked for in one query per call
    site: `names.load(ids)` first, then `names(id)`."""
    cache: dict[int, str] = {}

    def name(agent_id: int) -> str:
        if agent_id not in cache:
            load([agent_id])
        return cache.get(agent_id) or f"Nº {agent_id}"

    def load(ids) -> None:
        wanted = sorted(set(ids) - set(cache))
        if wanted:
            cache.update(
                session.execute(select(Collaborator.id, Collaborator.name).where(Collaborator.id.in_(wanted)))
                .tuples()
                .all()
            )

    name.load = load  # type: ignore[attr-defined]
    return name


def targets_table(ctx: Context) -> Table:
    """Collaborators' plans with targets (tiers) in force on the period's last day, and
    how far the paid production of that month (proposals submitted in it) has gone."""
    month = ctx.filters.month_to
    on = min(ctx.filters.last_day, ctx.today)
    stmt = (
        select(CommissionPlan)
        .options(selectinload(CommissionPlan.tiers))
        .where(
            CommissionPlan.collaborator_id.is_not(None),
            CommissionPlan.valid_from <= on,
            or_(CommissionPlan.valid_to.is_(None), CommissionPlan.valid_to >= on),
        )
    )
    visible = visible_collaborator_ids(ctx.session, ctx.user)
    if visible is not None:
        stmt = stmt.where(CommissionPlan.collaborator_id.in_(visible))
    plans = [
        p
        for p in ctx.session.scalars(stmt.order_by(CommissionPlan.collaborator_id, CommissionPlan.id))
        if p.tiers
    ]
    agent_ids = sorted({p.collaborator_id for p in plans if p.collaborator_id})
    produced = production.agent_paid_gross(ctx.session, month, agent_ids)
    names = agent_names(ctx.session)
    names.load(agent_ids)  # type: ignore[attr-defined]
    table = Table(
        "metas",
        f"Metas e progresso ({month[5:7]}/{month[:4]})",
        ["Corretor", "Plano", "Produção paga no mês", "Próxima meta", "Falta", "Progresso"],
        chart=Chart("bar", (2, 3)),
        note="Produção paga (valor bruto) das propostas digitadas no mês, frente à próxima faixa do plano.",
    )
    for plan in plans:
        assert plan.collaborator_id is not None
        done = produced.get(plan.collaborator_id, ZERO)
        thresholds = sorted(t.threshold for t in plan.tiers)
        goal = next((t for t in thresholds if t > done), thresholds[-1])
        progress = production.rate(int(done * 100), int(goal * 100)) if goal else ZERO
        params = {
            "agent": str(plan.collaborator_id),
            "bucket": "paid",
            "from": ctx.filters.last_day.replace(day=1).isoformat(),
            "to": ctx.filters.last_day.isoformat(),
        }
        table.rows.append(
            [
                Cell(names(plan.collaborator_id)),
                Cell(plan.name or "Plano"),
                Cell(done, "money", Link.to("proposals", params)),
                Cell(goal, "money"),
                Cell(max(goal - done, ZERO), "money"),
                Cell(progress, "percent"),
            ]
        )
    return table


def sla_table(ctx: Context) -> Table:
    """Proposals beyond their status's SLA now (the board's figures; the bank filter applies)."""
    figures = board.figures(
        ctx.session, ctx.user, ProposalFilters(bank=ctx.filters.bank), ctx.sla_limits, ctx.now
    )
    table = Table(
        "sla",
        "Propostas paradas além do SLA",
        ["Status", "Fora do SLA", "Limite (horas)"],
        chart=Chart("bar", (1,)),
    )
    for status in Status:
        count, _amount, breached, _review = figures.get(status.value, (0, ZERO, 0, 0))
        if breached:
            params = {"status": status.value, "sla": "1", "bank": ctx.filters.bank}
            table.rows.append(
                [
                    Cell(status.label),
                    Cell(breached, "int", Link.to("proposals", {k: v for k, v in params.items() if v})),
                    Cell(ctx.sla_limits.get(status.value, 0), "int"),
                ]
            )
    table.note = "Situação agora, pela esteira; só o filtro de banco se aplica."
    return table


def _builders(ctx: Context) -> dict[str, Callable[[], Table]]:
    f, s, session, cache = ctx.filters, ctx.scope, ctx.session, ctx.cache

    def produced(
        dimension: str, title: str, labels: Callable[[Any], str] | None = None
    ) -> Callable[[], Table]:
        return lambda: production.production_table(session, f, s, dimension, title, labels, cache)

    def gained(dimension: str, title: str, labels: Callable[[Any], str], received: bool = False):
        return lambda: finance.gains_table(session, f, s, dimension, title, labels, received, cache)

    return {
        "resumo": lambda: summary_table(ctx),
        "producao-day": produced("day", "Produção por dia"),
        "producao-month": produced("month", "Produção por mês"),
        "producao-bank_code": produced("bank_code", "Produção por banco", ctx.bank),
        "producao-product": produced("product", "Produção por produto", ctx.product),
        "producao-agreement": produced("agreement", "Produção por convênio"),
        "producao-store_id": produced("store_id", "Produção por loja", ctx.unit),
        "producao-team_id": produced("team_id", "Produção por equipe", ctx.unit),
        # Money received is per bank only: shown company-wide, without finer filters.
        "ganhos-bank_code": gained(
            "bank_code", "Ganhos e perdas por banco", ctx.bank, s.units is None and not f.dimension_filtered
        ),
        "ganhos-product": gained("product", "Ganhos e perdas por produto", ctx.product),
        "ganhos-store_id": gained("store_id", "Ganhos e perdas por loja", ctx.unit),
        "ranking-lojas": lambda: store_ranking(ctx),
        "ranking-corretores": lambda: production.agent_ranking(session, f, s, agent_names(session)),
        "metas": lambda: targets_table(ctx),
        "previsao-diferido": lambda: finance.forecast_table(session, f, s, ctx.current_month, cache),
        "exposicao-banco": lambda: finance.exposure_table(session, f, s, ctx.current_month, ctx.bank, cache),
        "sla": lambda: sla_table(ctx),
    }


# The page itself shows the period's summary; every other table is a section the page
# loads after itself, one small request each (HTMX), so the page costs the same however
# many tables, rows and charts the sections hold. The SLA section reads the pipeline
# with the clock (the board's figures), the others the rollups.
PAGE_SLUGS = ("resumo",)
SECTION_SLUGS = (
    "producao-day", "producao-month", "producao-bank_code", "producao-product",
    "producao-agreement", "producao-store_id", "producao-team_id", "ganhos-bank_code",
    "ganhos-product", "ganhos-store_id", "ranking-lojas", "ranking-corretores", "metas",
    "previsao-diferido", "exposicao-banco", "sla",
)  # fmt: skip
SECTION_TITLES = {
    "producao-day": "Produção por dia",
    "producao-month": "Produção por mês",
    "producao-bank_code": "Produção por banco",
    "producao-product": "Produção por produto",
    "producao-agreement": "Produção por convênio",
    "producao-store_id": "Produção por loja",
    "producao-team_id": "Produção por equipe",
    "ganhos-bank_code": "Ganhos e perdas por banco",
    "ganhos-product": "Ganhos e perdas por produto",
    "ganhos-store_id": "Ganhos e perdas por loja",
    "ranking-lojas": "Ranking de lojas",
    "ranking-corretores": "Ranking de corretores",
    "metas": "Metas e progresso",
    "previsao-diferido": "Previsão de caixa: comissão diferida",
    "exposicao-banco": "Exposição por banco",
    "sla": "Propostas paradas além do SLA",
}
# Sections that need the SLA limits in their context.
DEFERRED_SLUGS = ("sla",)


def build(ctx: Context) -> list[Table]:
    """Every table but DEFERRED_SLUGS (the page's and its sections'), in page order."""
    builders = _builders(ctx)
    return [builders[slug]() for slug in (*PAGE_SLUGS, *SECTION_SLUGS) if slug not in DEFERRED_SLUGS]


def page_tables(ctx: Context) -> list[Table]:
    """The tables the page itself shows (the sections load after it, each with `table`)."""
    builders = _builders(ctx)
    return [builders[slug]() for slug in PAGE_SLUGS]


def table(ctx: Context, slug: str) -> Table | None:
    """One table by slug (a section, or an export), or None for an unknown slug."""
    builder = _builders(ctx).get(slug)
    return builder() if builder else None
