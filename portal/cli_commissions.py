"""`flask --app wsgi commissions …`: the commission commands (one commit per command)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.core.audit import Actor
from portal.core.errors import DomainError

commissions_group = AppGroup("commissions", help="Comissões: recálculo, cálculo sobre arquivos.")
CLI_ACTOR = Actor(id=None, label="linha de comando")


@commissions_group.command("recalc")
@click.option("--period", required=True, help="Período aaaa-mm dos contratos pagos a recalcular.")
@click.option("--reason", default="", help="Motivo do recálculo (fica em cada lançamento).")
def recalc_cmd(period: str, reason: str) -> None:
    """Recalcula as comissões do período e lança só as diferenças."""
    from portal.cli import unit_of_work
    from portal.commissions.recalc import recalculate, summary

    try:
        with unit_of_work() as session:
            result = recalculate(session, CLI_ACTOR, period, reason)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(summary(result))


def register(app) -> None:
    app.cli.add_command(commissions_group)
