"""`flask --app wsgi commissions ...`: the commission commands (calculator; recalculation)."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from portal.commissions.calculator import calculate
from portal.commissions.layouts import DEMO_BANKS
from portal.commissions.types import COMPANY
from portal.core.errors import DomainError
from portal.core.money import format_brl

_FILE = click.Path(exists=True, dir_okay=False)
_SHOWN_PAYEES = 30


@click.group("commissions", cls=AppGroup, help="Comissões: calculadora sobre arquivos e recálculo.")
def commissions_group() -> None:
    pass


@commissions_group.command("preview", with_appcontext=False)
@click.option("--table", "table", required=True, type=_FILE, help="Tabela do banco (.xlsx ou .csv).")
@click.option("--contracts", required=True, type=_FILE, help="Contratos pagos (.xlsx ou .csv).")
@click.option("--plans", type=_FILE, help="Planos internos (.csv ou .xlsx), opcional.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Arquivo de linhas (.csv).")
@click.option("--bank", "banks", multiple=True, help="Código de banco aceito além dos de demonstração.")
def preview(table: str, contracts: str, plans: str | None, out: str, banks: tuple[str, ...]) -> None:
    """Calcula as linhas de comissão sobre arquivos, sem banco de dados."""
    try:
        summary = calculate(table, contracts, out, plans=plans, banks=DEMO_BANKS | set(banks))
    except DomainError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    click.echo(
        f"{summary.contracts} contrato(s), {summary.lines} linha(s) gravadas em {out}; "
        f"sem tabela: {summary.no_table}, tabela ambígua: {summary.ambiguous}."
    )
    payees = sorted(summary.totals.items(), key=lambda item: (item[0] != COMPANY, item[0]))
    click.echo("Totais por beneficiário:")
    for payee, total in payees[:_SHOWN_PAYEES]:
        click.echo(f"  {payee}: {format_brl(total)}")
    if len(payees) > _SHOWN_PAYEES:
        click.echo(f"  … e mais {len(payees) - _SHOWN_PAYEES} beneficiário(s).")


@commissions_group.command("recalc")
@click.option("--period", required=True, help="Período aaaa-mm dos contratos pagos a recalcular.")
@click.option("--reason", default="", help="Motivo do recálculo (fica em cada lançamento).")
def recalc_cmd(period: str, reason: str) -> None:
    """Recalcula as comissões do período e lança só as diferenças."""
    from portal.commissions.recalc import recalculate, summary
    from portal.core.audit import Actor
    from portal.core.db import unit_of_work
    from portal.extensions import db

    try:
        with unit_of_work(db.new_session) as session:
            result = recalculate(session, Actor(id=None, label="linha de comando"), period, reason)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(summary(result))


@click.command("statement-verify")
@with_appcontext
@click.argument("digest")
def statement_verify_cmd(digest: str) -> None:
    """Diz de qual extrato é o código de verificação e se ainda confere com o razão."""
    from portal.commissions.statements.verify import verify
    from portal.core.db import unit_of_work
    from portal.extensions import db

    with unit_of_work(db.new_session) as session:
        result = verify(session, digest)
        click.echo(result.message)
        if result.found and result.later_lines:
            total = format_brl(result.later_amount)
            click.echo(f"Lançamentos posteriores da competência: {result.later_lines}, total {total}.")
    if not result.matches:
        raise SystemExit(1)
