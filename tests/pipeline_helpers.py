"""Shared builders of the pipeline tests: a small org with proposals, a SQL counter and
real files (PDF, PNG, JPEG, XLSX) made in memory."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, event

from tests import factories


@dataclass
class PipelineOrg:
    store_a: object
    store_b: object
    agent_user: object
    agent: object
    other_agent: object
    supervisor_user: object
    operations_user: object
    client: object
    other_client: object


# The banks the pipeline tests use, registered as in the demo (filters and forms offer only
# registered banks).
REGISTERED_BANKS = {
    "facta": "Facta",
    "daycoval": "Daycoval",
    "c6": "C6 Consig",
    "master": "Banco Master",
    "bradesco": "Bradesco Promotora",
}


def register_banks(db) -> None:
    for code, name in REGISTERED_BANKS.items():
        factories.bank(db, code, name=name)


def two_store_org(db, **supervisor: object) -> dict[str, object]:
    """Registered banks; a company with two stores of one team each; an agent in each team
    (the first with a user) and the first team's supervisor (`supervisor`: user fields)."""
    register_banks(db)
    company = factories.org_unit(db, "company", "Empresa")
    store_a = factories.org_unit(db, "store", "Loja Centro", company)
    store_b = factories.org_unit(db, "store", "Loja Norte", company)
    team_a = factories.org_unit(db, "team", "Equipe A", store_a)
    team_b = factories.org_unit(db, "team", "Equipe B", store_b)
    agent_user = factories.user(db, role="agent", name="Ana Corretora")
    supervisor_user = factories.user(db, role="supervisor", **supervisor)
    factories.collaborator(db, supervisor_user, team_a, role_group="supervisor")
    agent = factories.collaborator(db, agent_user, team_a, name="Ana Corretora")
    other_agent = factories.collaborator(db, None, team_b, name="Bruno Vendedor")
    return {
        "store_a": store_a,
        "store_b": store_b,
        "team_a": team_a,
        "team_b": team_b,
        "agent_user": agent_user,
        "agent": agent,
        "other_agent": other_agent,
        "supervisor_user": supervisor_user,
    }


def build_org(db) -> PipelineOrg:
    org = two_store_org(db)
    agent, other_agent = org["agent"], org["other_agent"]
    return PipelineOrg(
        store_a=org["store_a"],
        store_b=org["store_b"],
        agent_user=org["agent_user"],
        agent=agent,
        other_agent=other_agent,
        supervisor_user=org["supervisor_user"],
        operations_user=factories.user(db, role="operations"),
        client=factories.client(db, agent, name="Maria da Silva"),
        other_client=factories.client(db, other_agent, name="José Souza"),
    )


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """Collect every SQL statement sent while the block runs."""
    statements: list[str] = []

    def _before(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _before)


def minimal_pdf(text: str = "Documento de teste") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(body)}>>stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(min(height, 4)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int = 4, height: int = 3) -> bytes:
    """Just enough JPEG structure (SOI, APP0, SOF0, EOI) for header checks."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def xlsx(headers: list[str], rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def hub_import(db, user, data: bytes, filename: str, folder):
    """Import a proposals spreadsheet through the import hub as `user` (the rows are
    matched within `user`'s scope), as the command line does: prepared and run at once."""
    from pathlib import Path

    from portal.core.audit import Actor
    from portal.core.imports import runs

    path = Path(folder) / "upload" / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return runs.import_path(
        db, Actor(id=user.id, label=user.email), path, kind="proposals", bank_code="",
        source="upload", storage_dir=Path(folder) / "storage",
    )  # fmt: skip
