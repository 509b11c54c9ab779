"""Migrations build exactly the models' schema, in one linear history."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

import portal.model_registry  # noqa: F401
from portal.core.db import Base
from portal.core.migrations import alembic_config
from tests.conftest import empty_database


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()


def test_every_revision_has_a_downgrade_path():
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(callable(r.module.downgrade) for r in revisions)


def _schema_diff(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
    return compare_metadata(context, Base.metadata)


def test_schema_from_migrations_equals_models(app, db):
    """The session database was built by `alembic upgrade head` from empty."""
    diff = _schema_diff(db.connection())
    assert diff == [], f"modelos e migrações divergem: {diff}"


def test_downgrade_to_base_and_back(tmp_path):
    """Every downgrade runs and leaves nothing behind; the way back up builds the models'
    schema again (on the test backend: SQLite, or PostgreSQL in CI)."""
    with empty_database(tmp_path, "roundtrip") as url:
        cfg = alembic_config(url)
        engine = create_engine(url)
        try:
            command.upgrade(cfg, "head")
            command.downgrade(cfg, "base")
            with engine.connect() as conn:
                left = set(inspect(conn).get_table_names()) - {"alembic_version"}
                assert left == set(), f"o downgrade deixou tabelas: {left}"
                assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 0
            command.upgrade(cfg, "head")
            with engine.connect() as conn:
                diff = _schema_diff(conn)
                heads = ScriptDirectory.from_config(cfg).get_heads()
                assert conn.scalar(text("SELECT version_num FROM alembic_version")) == heads[0]
        finally:
            engine.dispose()
    assert diff == [], f"modelos e migrações divergem após a volta: {diff}"
