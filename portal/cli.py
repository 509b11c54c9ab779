"""`flask --app wsgi ...` commands. Each one calls services and commits once."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.orm import Session

from portal.config import PROJECT_ROOT
from portal.core.audit import SYSTEM, verify_chain
from portal.core.audit import record as audit_record
from portal.core.errors import DomainError
from portal.extensions import db


def alembic_config(url: str | None = None) -> AlembicConfig:
    """Alembic settings built in code: no alembic.ini to drift from the app config."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.attributes["url"] = url
    return cfg


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One session, committed once at the end or rolled back on error."""
    session = db.new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _url() -> str:
    return current_app.config["DATABASE_URL"]


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@click.group("db", cls=AppGroup, help="Migrações do banco de dados (Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Aplica as migrações até REVISION (padrão: head)."""
    _ensure_sqlite_dir(_url())
    command.upgrade(alembic_config(_url()), revision)


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Desfaz migrações até REVISION."""
    command.downgrade(alembic_config(_url()), revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--rev-id", default=None)
def db_revision(message: str, rev_id: str | None) -> None:
    """Gera uma migração comparando modelos e banco (revise antes de commitar)."""
    command.revision(alembic_config(_url()), message=message, autogenerate=True, rev_id=rev_id)


@db_group.command("heads")
def db_heads() -> None:
    command.heads(alembic_config(_url()))


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Só carrega se ainda não houver usuários.")
def seed_demo(if_empty: bool) -> None:
    """Carrega os dados de demonstração (idempotente)."""
    from portal.demo import DEMO_PASSWORD, DEMO_USERS, seed

    with unit_of_work() as session:
        loaded = seed(session, only_if_empty=if_empty)
    click.echo("Dados de demonstração carregados." if loaded else "Dados de demonstração já presentes.")
    click.echo(f"Logins de demonstração (senha: {DEMO_PASSWORD}):")
    for email, _name, role in DEMO_USERS:
        click.echo(f"  {email:<28} {role}")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["agent", "supervisor", "operations", "finance", "manager", "admin"]),
)
@click.option(
    "--password", default=None, help="Se omitida: pedida no terminal, ou gerada e mostrada uma vez."
)
def create_user_cmd(email: str, name: str, role: str, password: str | None) -> None:
    """Cria um usuário."""
    from portal.people import services

    if password is None and sys.stdin.isatty():
        password = click.prompt("Senha", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work() as session:
            user, temporary = services.create_user(
                session, SYSTEM, email=email, name=name, role=role, password=password
            )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Usuário criado: {user.email} ({role}).")
    if temporary:
        click.echo(f"Senha temporária (anote agora, não será mostrada de novo): {temporary}")


@click.command("audit-verify")
@with_appcontext
def audit_verify() -> None:
    """Verifica a cadeia de hashes do log de auditoria."""
    with unit_of_work() as session:
        report = verify_chain(session)
    if report.ok:
        click.echo(f"Cadeia íntegra: {report.checked} registros verificados.")
        return
    click.echo(
        f"Cadeia QUEBRADA no registro #{report.broken_id}: {report.reason} "
        f"({report.checked} registros íntegros antes dele).",
        err=True,
    )
    sys.exit(1)


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Servidor de desenvolvimento (modo embarcado), com threads."""
    from werkzeug.serving import run_simple

    click.echo(f"Athenas em http://{host}:{port}  (Ctrl+C para parar)")
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


@click.command("rotate-data-key")
@with_appcontext
@click.option("--batch", default=500, show_default=True, type=int)
def rotate_data_key(batch: int) -> None:
    """Recifra todos os dados pessoais com a chave atual (a primeira de ATHENAS_DATA_KEY)."""
    from portal.core.crypto import get_keyring
    from portal.core.rotation import rotate_all

    ring = get_keyring()
    with unit_of_work() as session:
        counts = rotate_all(session, ring, batch)
        audit_record(session, SYSTEM, "crypto.data_key_rotated", f"key:{ring.current_id}", counts)
    for name, count in counts.items():
        click.echo(f"  {name:<45} {count} valor(es) recifrado(s)")
    click.echo(f"Rotação concluída: {sum(counts.values())} valor(es) agora na chave {ring.current_id!r}.")


@click.command("flag-inactive-clients")
@with_appcontext
@click.option("--years", default=5, show_default=True, type=int, help="Anos sem atividade.")
def flag_inactive_clients_cmd(years: int) -> None:
    """Marca para revisão (LGPD) os clientes sem atividade há N anos."""
    from datetime import date

    from portal.clients.privacy import flag_inactive_clients

    try:
        with unit_of_work() as session:
            count = flag_inactive_clients(session, years, date.today())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{count} cliente(s) marcado(s) por inatividade de {years} ano(s) ou mais.")


def register_cli(app: Flask) -> None:
    for cmd in (
        db_group,
        seed_demo,
        create_user_cmd,
        audit_verify,
        serve,
        rotate_data_key,
        flag_inactive_clients_cmd,
    ):
        app.cli.add_command(cmd)
