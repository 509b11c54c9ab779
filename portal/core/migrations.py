"""Alembic settings built in code: no alembic.ini to drift from the app config.

Alembic is imported only when a migration command asks for its settings (loading it pulls
in every dialect's DDL support and Mako), not by every command that imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str | None = None) -> AlembicConfig:
    """Settings for `alembic.command.*`; `url` is handed to migrations/env.py."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.attributes["url"] = url
    return cfg
