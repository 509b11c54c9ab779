"""`flask --app wsgi ...` commands. Each one calls services and commits once."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from portal.cli_backups import backup_group
from portal.cli_commissions import commissions_group, statement_verify_cmd
from portal.config import PROJECT_ROOT
from portal.core.audit import SYSTEM, Actor, verify_chain
from portal.core.audit import record as audit_record
from portal.core.db import unit_of_work
from portal.core.errors import DomainError
from portal.core.migrations import alembic_config
from portal.extensions import db

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from portal.core.rotation import EncryptedFiles


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
    from alembic import command

    _ensure_sqlite_dir(_url())
    command.upgrade(alembic_config(_url()), revision)


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Desfaz migrações até REVISION."""
    from alembic import command

    command.downgrade(alembic_config(_url()), revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--rev-id", default=None)
def db_revision(message: str, rev_id: str | None) -> None:
    """Gera uma migração comparando modelos e banco (revise antes de commitar)."""
    from alembic import command

    command.revision(alembic_config(_url()), message=message, autogenerate=True, rev_id=rev_id)


@db_group.command("heads")
def db_heads() -> None:
    """Mostra a(s) revisão(ões) mais recente(s) das migrações."""
    from alembic import command

    command.heads(alembic_config(_url()))


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Só carrega se ainda não houver usuários.")
def seed_demo(if_empty: bool) -> None:
    """Carrega os dados de demonstração (idempotente)."""
    from portal.config import demo_totp_secret
    from portal.demo import DEMO_PASSWORD, DEMO_USERS, enrol_demo_mfa, seed

    totp_secret = demo_totp_secret(current_app.config)
    with unit_of_work(db.new_session) as session:
        loaded = seed(session, only_if_empty=if_empty, totp_secret=totp_secret or None)
        if not loaded and totp_secret:
            enrol_demo_mfa(session, totp_secret)
    click.echo("Dados de demonstração carregados." if loaded else "Dados de demonstração já presentes.")
    click.echo(f"Logins de demonstração (senha: {DEMO_PASSWORD}):")
    for email, _name, role in DEMO_USERS:
        click.echo(f"  {email:<28} {role}")
    if totp_secret:
        click.echo(
            "Financeiro, gerente e administrador pedem o código TOTP do segredo "
            f"{totp_secret} (veja o README)."
        )


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
        with unit_of_work(db.new_session) as session:
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
    with unit_of_work(db.new_session) as session:
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
@click.option(
    "--with-sandbox/--without-sandbox",
    default=False,
    help="Sobe também o banco sandbox local (ATHENAS_SANDBOX_BANK_URL) e o encerra junto.",
)
def serve(host: str, port: int, with_sandbox: bool) -> None:
    """Servidor de desenvolvimento (modo embarcado), com threads."""
    from werkzeug.serving import run_simple

    from portal import refuse_demo_mfa_in_production

    refuse_demo_mfa_in_production(current_app._get_current_object())  # type: ignore[attr-defined]
    sandbox = _start_sandbox(port) if with_sandbox else None
    if with_sandbox:
        _demo_banks_follow_sandbox()
    from portal.core.backups import get_settings

    click.echo(get_settings().describe())
    if current_app.config["JOBS_RUNNER"] == "inprocess":
        from portal.embedded import start_scheduler

        start_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    if sandbox is not None:
        # SIGTERM (process managers, test fixtures) must also stop the child.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    click.echo(f"Athenas em http://{host}:{port}  (Ctrl+C para parar)")
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)  # type: ignore[attr-defined]
    finally:
        if sandbox is not None:
            _stop_child(sandbox)


def _sandbox_base() -> str:
    from portal.demo.banks import sandbox_url

    return (current_app.config.get("SANDBOX_BANK_URL") or sandbox_url()).rstrip("/")


def _sandbox_address() -> tuple[str, int]:
    from urllib.parse import urlsplit

    url = urlsplit(_sandbox_base())
    return url.hostname or "127.0.0.1", url.port or 8099


def _demo_banks_follow_sandbox() -> None:
    """A second `make run` on another port: the demo banks follow the sandbox's address."""
    from portal.demo.banks import follow_sandbox

    with unit_of_work(db.new_session) as session:
        moved = follow_sandbox(session, _sandbox_base())
    if moved:
        click.echo(f"Bancos de demonstração apontados para {_sandbox_base()}: {', '.join(moved)}.")


def _start_sandbox(portal_port: int) -> subprocess.Popen[bytes] | None:
    """Start the sandbox bank as a child process on loopback, webhooks back to this portal."""
    from portal.demo.banks import DEMO_WEBHOOK_SECRET

    host, port = _sandbox_address()
    if host not in ("127.0.0.1", "localhost"):
        click.echo(f"Banco sandbox em {host}: não é local, não será iniciado aqui.")
        return None
    command_line = sandbox_command(
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--webhook-url",
        f"http://127.0.0.1:{portal_port}/api/banks/{{bank}}/webhook",
        "--webhook-secret",
        os.environ.get("ATHENAS_SANDBOX_WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET),
    )
    child = subprocess.Popen(command_line, cwd=PROJECT_ROOT)
    atexit.register(_stop_child, child)
    click.echo(f"Banco sandbox em http://127.0.0.1:{port} (processo {child.pid})")
    return child


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@click.command("sandbox-bank")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8099, show_default=True, type=int)
@click.option("--webhook-url", default=None, help="Ex.: http://127.0.0.1:8000/api/banks")
@click.option("--webhook-secret", default=None)
@click.option("--slow-delay", default=5.0, show_default=True, type=float)
@click.option("--timeout-delay", default=30.0, show_default=True, type=float)
@click.option("--auto-advance", default=0.0, show_default=True, type=float)
def sandbox_bank(
    host: str,
    port: int,
    webhook_url: str | None,
    webhook_secret: str | None,
    slow_delay: float,
    timeout_delay: float,
    auto_advance: float,
) -> None:
    """Banco sandbox: servidor HTTP que fala o dialeto de cada banco integrado."""
    options = {
        "--host": host,
        "--port": port,
        "--webhook-url": webhook_url,
        "--webhook-secret": webhook_secret,
        "--slow-delay": slow_delay,
        "--timeout-delay": timeout_delay,
        "--auto-advance": auto_advance,
    }
    arguments = [str(part) for name, value in options.items() if value is not None for part in (name, value)]
    click.echo(f"Banco sandbox na porta {port}  (Ctrl+C para parar)")
    try:
        sys.exit(subprocess.call(sandbox_command(*arguments), cwd=PROJECT_ROOT))
    except KeyboardInterrupt:
        sys.exit(0)


def sandbox_command(*arguments: str) -> list[str]:
    """The command line that runs the sandbox bank: always its own process, because
    production code never imports `sandbox_bank` (an import-linter contract)."""
    return [sys.executable, "-m", "sandbox_bank", *arguments]


def encrypted_file_sources() -> list[EncryptedFiles]:
    """Every table column that references files written with `KeyRing.encrypt_bytes`."""
    from portal.clients.consents import EVIDENCE_FILES as CONSENT_EVIDENCE
    from portal.commissions.statements.files import PDF_FILES as STATEMENT_PDFS
    from portal.core.imports import storage as import_storage
    from portal.core.imports.models import DataImport
    from portal.core.rotation import EncryptedFiles
    from portal.insights.reports import REPORT_FILES
    from portal.people.certifications import EVIDENCE_FILES as CERTIFICATION_EVIDENCE
    from portal.proposals.documents import DOCUMENT_FILES
    from portal.proposals.pipeline_models import ProposalImport

    # Imported spreadsheets: `importing.keep_file` writes imports/<name>, the name as
    # associated data.
    imports = EncryptedFiles(ProposalImport.__table__.c.storage_name, locate=lambda name: f"imports/{name}")  # type: ignore[arg-type]
    # The import hub's kept files (`portal.core.imports.storage`): data-imports/<name>.
    hub_imports = EncryptedFiles(
        DataImport.__table__.c.storage_name,  # type: ignore[arg-type]
        locate=lambda name: f"{import_storage.FOLDER}/{name}",
    )
    return [
        DOCUMENT_FILES,
        imports,
        hub_imports,
        CONSENT_EVIDENCE,
        CERTIFICATION_EVIDENCE,
        STATEMENT_PDFS,
        REPORT_FILES,
    ]


@click.command("rotate-data-key")
@with_appcontext
@click.option("--batch", default=500, show_default=True, type=int)
def rotate_data_key(batch: int) -> None:
    """Recifra todos os dados pessoais (colunas e arquivos) com a chave atual (a primeira de
    ATHENAS_DATA_KEY)."""
    from portal.core.crypto import CryptoError, get_keyring
    from portal.core.rotation import rotate_all, rotate_all_files

    ring = get_keyring()
    try:
        with unit_of_work(db.new_session) as session:
            counts = rotate_all(session, ring, batch)
            files = rotate_all_files(
                session, ring, current_app.config["STORAGE_DIR"], encrypted_file_sources(), batch
            )
            details: dict[str, int] = dict(counts)
            details.update({f"files:{name}": result.changed for name, result in files.items()})
            details["files_missing"] = sum(result.missing for result in files.values())
            audit_record(session, SYSTEM, "crypto.data_key_rotated", f"key:{ring.current_id}", details)
    except CryptoError as error:
        raise click.ClickException(f"Rotação interrompida: {error}") from None
    for name, count in counts.items():
        click.echo(f"  {name:<45} {count} valor(es) recifrado(s)")
    for name, result in files.items():
        line = f"  {'arquivos ' + name:<45} {result.rotated} arquivo(s) recifrado(s)"
        if result.encrypted:
            line += f", {result.encrypted} antigo(s) em claro agora cifrado(s)"
        if result.missing:
            line += f", {result.missing} não encontrado(s) no armazenamento"
        click.echo(line)
    changed = sum(result.changed for result in files.values())
    click.echo(
        f"Rotação concluída: {sum(counts.values())} valor(es) e {changed} arquivo(s) "
        f"agora na chave {ring.current_id!r}."
    )


@click.command("flag-inactive-clients")
@with_appcontext
@click.option("--years", default=5, show_default=True, type=int, help="Anos sem atividade.")
def flag_inactive_clients_cmd(years: int) -> None:
    """Marca para revisão (LGPD) os clientes sem atividade há N anos."""
    from datetime import date

    from portal.proposals.retention import flag_inactive_clients

    try:
        with unit_of_work(db.new_session) as session:
            count = flag_inactive_clients(session, years, date.today())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{count} cliente(s) marcado(s) por inatividade de {years} ano(s) ou mais.")


@click.command("rebuild-proposal-rollup")
@with_appcontext
def rebuild_proposal_rollup() -> None:
    """Recalcula as contagens da esteira a partir das propostas (após cargas em massa)."""
    from portal.proposals.rollup import rebuild_rollup

    with unit_of_work(db.new_session) as session:
        rows = rebuild_rollup(session)
    click.echo(f"Contagens da esteira recalculadas ({rows} linha(s) no resumo).")


@click.group("insights", cls=AppGroup, help="Painéis: resumos que os painéis leem.")
def insights_group() -> None:
    pass


@insights_group.command("rebuild")
@with_appcontext
def insights_rebuild() -> None:
    """Recalcula os resumos dos painéis a partir das propostas e do razão (após cargas em massa)."""
    from portal.insights.rebuild import rebuild_all

    with unit_of_work(db.new_session) as session:
        done = rebuild_all(session)
    click.echo(
        f"Resumos dos painéis recalculados: {done.days} linha(s) por dia, {done.months} por mês, "
        f"{done.agents} por corretor e {done.ledger} do razão."
    )


@click.command("import-file")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", required=True, help="Tipo: bank-report, commission-table, proposals ou clients.")
@click.option("--bank", "bank_code", default="", help="Código do banco (relatórios e tabelas).")
@click.option("--layout", "layout_name", default=None, help="Nome do layout salvo (padrão: o do cabeçalho).")
@click.option("--sheet", default=None, help="Aba da planilha (padrão: a primeira).")
@click.option("--user", "user_email", default=None, help="E-mail do usuário em nome de quem importar.")
@click.option("--valid-from", default=None, help="Tabela: início da vigência (aaaa-mm-dd).")
@click.option("--valid-to", default=None, help="Tabela: fim da vigência (aaaa-mm-dd).")
@click.option("--note", default="", help="Tabela: observação da versão.")
@click.option("--owner", "owner_email", default=None, help="Clientes: e-mail do corretor responsável padrão.")
def import_file(
    path: str,
    kind: str,
    bank_code: str,
    layout_name: str | None,
    sheet: str | None,
    user_email: str | None,
    valid_from: str | None,
    valid_to: str | None,
    note: str,
    owner_email: str | None,
) -> None:
    """Importa um arquivo como a página de importações faz (um commit; código ≠ 0 se recusado)."""
    from portal.core.imports import runs
    from portal.core.imports.kinds import get_kind

    try:
        with unit_of_work(db.new_session) as session:
            spec = get_kind(kind)
            actor = _import_actor(session, user_email)
            bank_code = _import_bank(session, spec.needs_bank, bank_code)
            options = _import_options(session, kind, valid_from, valid_to, note, owner_email)
            record = runs.import_path(
                session, actor, path, kind=kind, bank_code=bank_code, source="cli",
                storage_dir=current_app.config["STORAGE_DIR"], layout_name=layout_name, sheet=sheet,
                options=options,
            )  # fmt: skip
    except DomainError as error:
        click.echo(f"Importação recusada: {error.message}", err=True)
        raise SystemExit(1) from None
    if record.status == "quarantined":
        click.echo(f"Arquivo em quarentena (importação nº {record.id}): {record.message}", err=True)
        for label, key in (("Faltando", "missing"), ("Novas", "added"), ("Fora de ordem", "moved")):
            if record.differences.get(key):
                click.echo(f"  {label}: " + ", ".join(record.differences[key]), err=True)
        raise SystemExit(2)
    if record.status == "failed":
        click.echo(f"Importação nº {record.id} recusada: {record.message}", err=True)
        for line, _what, reason in record.problems[:20]:
            click.echo(f"  Linha {line}: {reason}", err=True)
        raise SystemExit(1)
    if record.status != "done":
        click.echo(
            f"Nenhum layout salvo reconhece este arquivo (importação nº {record.id}): "
            "mapeie as colunas na página da importação.",
            err=True,
        )
        raise SystemExit(2)
    click.echo(
        f"Importação nº {record.id}: {record.imported} linha(s) importada(s), "
        f"{record.skipped} ignorada(s), {record.errors} com erro."
    )


def _import_actor(session: Session, email: str | None) -> Actor:
    """The user an import runs for (its scope, its audit entries), or the system."""
    from sqlalchemy import func, select

    from portal.people.models import User

    if not email:
        return SYSTEM
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise DomainError(f"Usuário “{email[:60]}” não encontrado.")
    return Actor(id=user.id, label=user.email)


def _import_bank(session: Session, needs_bank: bool, bank_code: str) -> str:
    from sqlalchemy import select

    from portal.banks.models import Bank

    if not needs_bank:
        return ""
    if not bank_code:
        raise DomainError("Informe o banco (--bank).")
    if session.scalar(select(Bank.id).where(Bank.code == bank_code)) is None:
        raise DomainError(f"Banco “{bank_code}” não cadastrado.")
    return bank_code


def _import_options(
    session: Session,
    kind: str,
    valid_from: str | None,
    valid_to: str | None,
    note: str,
    owner_email: str | None,
) -> dict[str, Any]:
    """The per-kind parameters the pages ask for, from the command line."""
    from datetime import date

    from sqlalchemy import func, select

    from portal.people.models import Collaborator

    options: dict[str, Any] = {}
    if kind == "commission-table":
        try:
            start = date.fromisoformat(valid_from) if valid_from else None
            end = date.fromisoformat(valid_to) if valid_to else None
        except ValueError:
            raise DomainError("Data inválida: use aaaa-mm-dd.") from None
        options = {
            "valid_from": start and start.isoformat(),
            "valid_to": end and end.isoformat(),
            "note": note,
        }
    if kind == "clients" and owner_email:
        owner = session.scalar(
            select(Collaborator.id).where(func.lower(Collaborator.email) == owner_email.strip().lower())
        )
        if owner is None:
            raise DomainError(f"Corretor “{owner_email[:60]}” não encontrado.")
        options["owner_id"] = owner
    return options


def register_cli(app: Flask) -> None:
    for cmd in (
        db_group,
        backup_group,
        commissions_group,
        statement_verify_cmd,
        seed_demo,
        create_user_cmd,
        audit_verify,
        serve,
        rotate_data_key,
        flag_inactive_clients_cmd,
        sandbox_bank,
        rebuild_proposal_rollup,
        insights_group,
        import_file,
    ):
        app.cli.add_command(cmd)
