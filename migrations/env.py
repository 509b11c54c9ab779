"""Alembic environment: the portal's metadata, the URL from the app's settings.

The URL comes from `config.attributes["url"]` (set by `flask db ...` and the tests), or
from a connection given in `config.attributes["connection"]`, or else from DATABASE_URL.
SQLite uses batch mode so ALTERs work.
"""

from alembic import context
from sqlalchemy.types import TypeDecorator

import portal.model_registry  # noqa: F401
from portal.config import from_environment
from portal.core.db import Base
from portal.extensions import make_engine

config = context.config
target_metadata = Base.metadata


def _render_item(type_, obj, autogen_context):
    """Render our TypeDecorators (Money, Rate, UTCDateTime, EncryptedText) as their
    plain SQL type, so migrations never import application code."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance if hasattr(obj, "impl_instance") else obj.impl
        return f"sa.{impl!r}"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.attributes.get("url") or from_environment()["DATABASE_URL"]
    engine = make_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Modo offline não é suportado; rode contra um banco.")
run_migrations_online()
