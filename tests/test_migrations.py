"""Migrations build exactly the models' schema, in one linear history."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import portal.model_registry  # noqa: F401
from portal.core.db import Base
from portal.core.migrations import alembic_config


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()


def test_every_revision_has_a_downgrade_path():
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(callable(r.module.downgrade) for r in revisions)


def test_schema_from_migrations_equals_models(app, db):
    """The session database was built by `alembic upgrade head` from empty."""
    context = MigrationContext.configure(
        db.connection(), opts={"compare_type": True, "render_as_batch": True}
    )
    diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"modelos e migrações divergem: {diff}"


def test_downgrade_to_base_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
