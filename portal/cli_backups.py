"""`flask --app wsgi backup ...`: create, list, verify, restore and prune restic backups."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.core.backups import runs
from portal.core.backups.manifest import ManifestError
from portal.core.backups.recovery import load_manifest, restore_backup, verify_backup, verify_database
from portal.core.backups.restic import ResticError
from portal.core.backups.service import apply_retention, create_backup, latest_backup_id, list_backups
from portal.core.backups.settings import BackupSettings, get_settings
from portal.core.db import unit_of_work, utcnow
from portal.core.errors import DomainError
from portal.extensions import db


def _settings() -> BackupSettings:
    settings = get_settings()
    if settings.development_defaults:
        click.echo(settings.describe(), err=True)
    return settings


def _fail(error: DomainError | ResticError | ManifestError) -> click.ClickException:
    return click.ClickException(getattr(error, "message", str(error)))


@click.group("backup", cls=AppGroup, help="Backups com restic: criar, listar, verificar, restaurar, reter.")
def backup_group() -> None:
    pass


@backup_group.command("create")
def create_cmd() -> None:
    """Faz um backup consistente do banco e do armazenamento em todos os repositórios."""
    settings = _settings()
    try:
        outcome = create_backup(settings, current_app.config["DATABASE_URL"], utcnow())
    except (DomainError, ResticError) as error:
        raise _fail(error) from None
    with unit_of_work(db.new_session) as session:
        runs.record_create(session, outcome, utcnow())
    click.echo(
        f"Backup {outcome.backup_id}: {len(outcome.manifest.tables)} tabela(s), "
        f"{outcome.manifest.total_rows} linha(s), {len(outcome.manifest.storage)} arquivo(s)."
    )
    for result in outcome.results:
        state = f"snapshot {result.snapshot_id}" if result.ok else f"FALHOU: {result.message}"
        click.echo(f"  {result.location}: {state}")
    if not outcome.ok:
        raise SystemExit(1)


@backup_group.command("list")
def list_cmd() -> None:
    """Lista os backups encontrados nos repositórios (mais recentes primeiro)."""
    settings = _settings()
    try:
        backups, errors = list_backups(settings)
    except DomainError as error:
        raise _fail(error) from None
    for location, message in errors.items():
        click.echo(f"Repositório {location} inacessível: {message}", err=True)
    if not backups:
        click.echo("Nenhum backup encontrado.")
    for info in backups:
        where = ", ".join(
            f"{place} ({'completo' if info.complete_in(place) else 'incompleto'})" for place in info.parts
        )
        click.echo(f"{info.backup_id}  {info.time[:19].replace('T', ' ')} UTC  {where}")
    if errors:
        raise SystemExit(1)


@backup_group.command("verify")
@click.argument("backup_id", required=False)
@click.option(
    "--subset", type=click.IntRange(0, 100), default=None, help="% dos dados lidos pelo restic check."
)
@click.option("--against", "against", default=None, help="DATABASE_URL de um banco restaurado a comparar.")
@click.option(
    "--scratch", default=None, help="DATABASE_URL de um banco vazio de rascunho: restaura nele e confere."
)
def verify_cmd(backup_id: str | None, subset: int | None, against: str | None, scratch: str | None) -> None:
    """Verifica os repositórios (restic check com leitura de uma amostra) e o backup ID
    (padrão: o mais recente) contra o manifesto."""
    settings = _settings()
    try:
        backup_id = backup_id or latest_backup_id(settings)
        results = verify_backup(settings, backup_id, subset)
        problems = [f"{result.location}: {problem}" for result in results for problem in result.problems]
        if against:
            manifest = load_manifest(settings, backup_id)
            problems += [f"banco {against.split('@')[-1]}: {p}" for p in verify_database(against, manifest)]
        if scratch:
            trial = restore_backup(settings, backup_id, scratch)
            problems += [f"restauração de teste: {p}" for p in trial.problems]
            click.echo(f"Restauração de teste: {trial.tables} tabela(s), {trial.rows} linha(s) conferidas.")
    except (DomainError, ResticError, ManifestError) as error:
        raise _fail(error) from None
    with unit_of_work(db.new_session) as session:
        runs.record_verification(session, backup_id, results, utcnow())
    for result in results:
        state = "íntegro" if result.ok else "COM PROBLEMAS"
        counts = f"{result.tables} tabela(s), {result.rows} linha(s)"
        click.echo(f"{backup_id} em {result.location}: {state} ({counts})")
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        raise SystemExit(1)


@backup_group.command("restore")
@click.argument("backup_id")
@click.option("--into", "into", required=True, help="DATABASE_URL de um banco vazio que receberá o backup.")
@click.option("--storage-into", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Pasta vazia onde restaurar os arquivos do armazenamento.")  # fmt: skip
@click.option(
    "--repository", default=None, help="Repositório de origem (padrão: o primeiro que tiver o backup)."
)
def restore_cmd(backup_id: str, into: str, storage_into: Path | None, repository: str | None) -> None:
    """Restaura o backup ID num banco vazio e confere cada tabela com o manifesto."""
    settings = _settings()
    try:
        report = restore_backup(settings, backup_id, into, storage_into, repository)
    except (DomainError, ResticError, ManifestError) as error:
        raise _fail(error) from None
    click.echo(
        f"Backup {backup_id} restaurado de {report.repository}: {report.tables} tabela(s), "
        f"{report.rows} linha(s), {report.storage_files} arquivo(s)."
    )
    if report.problems:
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo("Contagens e somas de verificação de todas as tabelas conferem com o manifesto.")


@backup_group.command("forget")
@click.option("--keep-daily", type=click.IntRange(1), default=None)
@click.option("--keep-weekly", type=click.IntRange(0), default=None)
@click.option("--keep-monthly", type=click.IntRange(0), default=None)
def forget_cmd(keep_daily: int | None, keep_weekly: int | None, keep_monthly: int | None) -> None:
    """Aplica a retenção (diários/semanais/mensais) com restic forget --prune."""
    from dataclasses import replace

    settings = _settings()
    settings = replace(
        settings,
        keep_daily=settings.keep_daily if keep_daily is None else keep_daily,
        keep_weekly=settings.keep_weekly if keep_weekly is None else keep_weekly,
        keep_monthly=settings.keep_monthly if keep_monthly is None else keep_monthly,
    )
    try:
        removed = apply_retention(settings)
    except (DomainError, ResticError) as error:
        raise _fail(error) from None
    with unit_of_work(db.new_session) as session:
        runs.record_removed(session, removed)
    for location, ids in removed.items():
        listed = f": {', '.join(sorted(ids))}" if ids else "."
        click.echo(f"{location}: {len(ids)} backup(s) removido(s){listed}")
