"""`flask backup ...`: the exact commands and options of issue 12, run for real."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, delete, text

from portal.core.backups.models import BackupRun
from portal.core.db import unit_of_work
from portal.extensions import db as app_db
from tests.conftest import empty_database


def test_the_commands_and_options_exist(app: Flask):
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["backup", "--help"]).output
    for name in ("create", "list", "verify", "restore", "forget"):
        assert f"  {name} " in listing
    assert "--into" in runner.invoke(args=["backup", "restore", "--help"]).output
    verify_help = runner.invoke(args=["backup", "verify", "--help"]).output
    assert "[BACKUP_ID]" in verify_help and "--subset" in verify_help
    forget_help = runner.invoke(args=["backup", "forget", "--help"]).output
    assert all(f"--keep-{kind}" in forget_help for kind in ("daily", "weekly", "monthly"))


def test_create_list_verify_restore_from_the_command_line(app: Flask, tmp_path: Path, temp_backups):
    runner = app.test_cli_runner()
    try:
        created = runner.invoke(args=["backup", "create"])
        assert created.exit_code == 0, created.output
        backup_id = created.output.split()[1].rstrip(":")
        assert f"{temp_backups.repositories[0]}: snapshot " in created.output

        listed = runner.invoke(args=["backup", "list"])
        assert listed.exit_code == 0 and listed.output.startswith(backup_id)
        assert f"{temp_backups.repositories[0]} (completo)" in listed.output

        verified = runner.invoke(args=["backup", "verify", backup_id, "--subset", "100"])
        assert verified.exit_code == 0, verified.output
        assert f"{backup_id} em {temp_backups.repositories[0]}: íntegro" in verified.output

        refused = runner.invoke(args=["backup", "restore", backup_id, "--into", app.config["DATABASE_URL"]])
        assert refused.exit_code == 1 and "O banco de destino não está vazio" in refused.output

        with empty_database(tmp_path, "cli_scratch") as scratch:
            trial = runner.invoke(args=["backup", "verify", backup_id, "--scratch", scratch])
            assert trial.exit_code == 0, trial.output
            assert "Restauração de teste: " in trial.output

        with empty_database(tmp_path, "cli_target") as target:
            restored = runner.invoke(args=["backup", "restore", backup_id, "--into", target])
            assert restored.exit_code == 0, restored.output
            assert (
                "Contagens e somas de verificação de todas as tabelas conferem com o manifesto."
                in restored.output
            )
            engine = create_engine(target)
            with engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = 'mexido'"))
            engine.dispose()
            changed = runner.invoke(args=["backup", "verify", backup_id, "--against", target])
            assert changed.exit_code == 1
            assert "Tabela alembic_version: conteúdo diferente do manifesto" in changed.output
    finally:
        with app.app_context(), unit_of_work(app_db.new_session) as session:
            session.execute(delete(BackupRun))
