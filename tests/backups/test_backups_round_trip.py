"""Backup → drop the database → restore into a new empty one → every table equal, on the
test backend (SQLite by default, PostgreSQL with ATHENAS_TEST_BACKEND=postgresql)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from flask import Flask
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.orm import Session

from portal.clients.models import Client
from portal.core.backups.manifest import table_sums
from portal.core.backups.recovery import restore_backup, verify_database
from portal.core.backups.service import create_backup
from portal.core.migrations import alembic_config
from tests import factories
from tests.backups.helpers import settings_for
from tests.conftest import BACKEND, empty_database

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _fill(url: str) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        org = factories.client_org(session)
        factories.client(session, org.agent, name="Ana Conceição")
        factories.client(session, org.agent, name="Bruno Sá")
        session.commit()
    engine.dispose()


def _sums(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as connection:
        sums = table_sums(connection)
    engine.dispose()
    return sums


def _database_exists(url: str) -> bool:
    if BACKEND != "postgresql":
        return Path(make_url(url).database or "").exists()
    name = make_url(url).database
    admin = create_engine(os.environ["TEST_DATABASE_URL"])
    with admin.connect() as connection:
        found = connection.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name})
    admin.dispose()
    return bool(found)


def test_backup_drop_restore_gives_back_every_table_and_notices_a_later_change(app: Flask, tmp_path: Path):
    settings = settings_for(tmp_path)
    (tmp_path / "storage" / "statements").mkdir()
    (tmp_path / "storage" / "statements" / "2026-10.pdf").write_bytes(b"extrato")
    with empty_database(tmp_path, "bk_source") as source:
        command.upgrade(alembic_config(source), "head")
        _fill(source)
        before = _sums(source)
        outcome = create_backup(settings, source, NOW)
        if BACKEND == "sqlite":
            Path(make_url(source).database or "").unlink()
    assert not _database_exists(source)  # the source database is gone
    assert outcome.ok, outcome.results
    assert outcome.manifest.backend == BACKEND
    assert outcome.manifest.tables["clients"].rows == 2
    assert outcome.manifest.tables["alembic_version"].rows == 1

    with empty_database(tmp_path, "bk_target") as target:
        report = restore_backup(settings, outcome.backup_id, target, tmp_path / "files")
        assert report.ok, report.problems
        after = _sums(target)
        assert set(after) == set(before) and len(after) > 40
        for table, expected in before.items():
            assert after[table] == expected, table
        assert (tmp_path / "files" / "statements" / "2026-10.pdf").read_bytes() == b"extrato"

        engine = create_engine(target)
        with Session(engine) as session:  # encrypted columns still open with the app's key
            names = sorted(c.name for c in session.scalars(select(Client)))
            assert names == ["Ana Conceição", "Bruno Sá"]
            session.execute(
                text("UPDATE users SET name = 'Alterado depois' WHERE id = (SELECT min(id) FROM users)")
            )
            session.execute(text("INSERT INTO alembic_version (version_num) VALUES ('extra')"))
            session.commit()
        engine.dispose()
        problems = verify_database(target, outcome.manifest)
        assert problems == [
            "Tabela alembic_version: 2 linha(s), o manifesto diz 1.",
            "Tabela users: conteúdo diferente do manifesto (soma de verificação).",
        ]
