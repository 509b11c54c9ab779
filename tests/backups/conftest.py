"""Backup tests never touch the developer's instance/backups: the process-wide settings
point at a temporary repository while a test runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from portal.core.backups import settings as backup_settings
from portal.core.backups.settings import BackupSettings
from tests.backups.helpers import settings_for


@pytest.fixture
def temp_backups(app: Flask, tmp_path: Path) -> Iterator[BackupSettings]:
    original = backup_settings.get_settings()
    settings = replace(settings_for(tmp_path), database_url=app.config["DATABASE_URL"])
    backup_settings.configure(settings)
    try:
        yield settings
    finally:
        backup_settings.configure(original)
