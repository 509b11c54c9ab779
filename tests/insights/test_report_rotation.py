"""Stored reports are encrypted files like statement PDFs: `flask rotate-data-key`
re-encrypts them, and they read with the new key alone afterwards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.core import crypto
from portal.core.crypto import KeyRing
from portal.insights import reports
from portal.insights.report_models import ReportKind

CONTENT = b"PK\x03\x04 planilha de teste"


@pytest.fixture
def new_ring(app):
    ring = crypto.get_keyring().with_new_key("k2031")
    yield ring
    crypto.configure_keyring(app.extensions["athenas.keyring"])


def test_rotation_reencrypts_stored_reports(app, db, new_ring):
    storage = app.config["STORAGE_DIR"]
    stored = reports.store_report(
        db, storage, CONTENT, kind=ReportKind.WORKBOOK, title="Relatório mensal",
        filename="relatorio-mensal-2031-03.xlsx", content_type="application/octet-stream",
        created_by="teste", period="2031-03",
    )  # fmt: skip
    path = Path(storage) / stored.storage_path
    old_id = crypto.get_keyring().current_id
    assert KeyRing.key_id_of_bytes(path.read_bytes()) == old_id

    crypto.configure_keyring(new_ring)
    result = app.test_cli_runner().invoke(args=["rotate-data-key"])
    assert result.exit_code == 0, result.output
    rotated = r"arquivos report_files\.storage_path\s+1 arquivo\(s\) recifrado"
    assert re.search(rotated, result.output), result.output
    assert KeyRing.key_id_of_bytes(path.read_bytes()) == "k2031"
    crypto.configure_keyring(KeyRing.from_string(new_ring.to_string().split(",")[0]))
    assert reports.read_report(storage, stored) == CONTENT
