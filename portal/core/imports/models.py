"""Import records and saved column layouts (shared by every kind of import).

A `DataImport` is one file brought in: its SHA-256, where it came from, the header read,
the mapping used and the outcome. The rows themselves live in the kind's own table
(bank report lines, …) pointing back at the import, so "desfazer" deletes exactly them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow

STATUS_LABELS = {
    "mapping": "Aguardando mapeamento",
    "ready": "Pronta para importar",
    "queued": "Na fila",
    "done": "Importada",
    "quarantined": "Em quarentena",
    "failed": "Recusada",
    "reverted": "Desfeita",
}
SOURCE_LABELS = {"upload": "Envio", "inbox": "Caixa de entrada", "cli": "Linha de comando"}


class ImportLayout(Base):
    """A named column mapping of one bank's file (per kind), recognised by its header."""

    __tablename__ = "import_layouts"
    __table_args__ = (UniqueConstraint("kind", "bank_code", "name", name="uq_import_layouts_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    bank_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    header: Mapped[list[str]] = mapped_column(JSON, default=list)  # the header cells as read
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # field → header cell
    aliases: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)  # field → names
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DataImport(Base):
    """One file brought in (or held back): source, header, mapping, counts and problems."""

    __tablename__ = "data_imports"
    __table_args__ = (Index("ix_data_imports_sha", "sha256", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    bank_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(10), default="upload")
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str | None] = mapped_column(String(64))  # encrypted kept copy
    file_format: Mapped[str] = mapped_column(String(10), default="")
    sheets: Mapped[list[str]] = mapped_column(JSON, default=list)
    sheet: Mapped[str | None] = mapped_column(String(100))
    header_line: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    layout_id: Mapped[int | None] = mapped_column(ForeignKey("import_layouts.id", ondelete="SET NULL"))
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    differences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # quarantine
    message: Mapped[str] = mapped_column(String(300), default="")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[line, kind, reason]]
    totals: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # kind's parameters
    job_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


class ImportedRecord(Base):
    """A record an import created in a domain table that has no import column of its own
    (proposals, clients, table versions): "desfazer" removes exactly these, and its
    natural key makes a row already brought in by another import a skipped one."""

    __tablename__ = "imported_records"
    __table_args__ = (Index("ix_imported_records_key", "kind", "natural_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("data_imports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    natural_key: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer, default=0)
