"""The "commission-table" import kind: a bank's commission table file → a DRAFT table
version, which then goes through the usual compare / approve flow.

All or nothing (`whole_file`): every bad line is reported with its line number and, if
there is any, no draft is created. The rows are read by the same parser as before
(`layouts.parse_table_row`: the layout's columns, Brazilian numbers, dd/mm/aaaa) and the
bank of every row must be the import's bank. The version's validity is the one given
with the file (options `valid_from` / `valid_to`, ISO dates) or else the rows'. "Desfazer"
deletes the draft; an approved version is retired on its page instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.commissions import tables
from portal.commissions.fields import RowErrors
from portal.commissions.layouts import TABLE_COLUMNS, overlap_errors, parse_table_row
from portal.commissions.models import TableVersion, VersionState
from portal.commissions.types import TableRow
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.imports import records, values
from portal.core.imports.kinds import Field, Kind, Record, register_kind
from portal.people.models import User

NAME = "commission-table"
OPTIONAL = ("vigencia_ate",)
FIELDS = tuple(
    Field(column, column, (column.replace("_", " "),), required=column not in OPTIONAL)
    for column in TABLE_COLUMNS
)


def _cell(value: Any) -> str:
    """A cell as the layout's text (numbers the Brazilian way, dates dd/mm/aaaa)."""
    if isinstance(value, float) and not value.is_integer():
        return repr(value).replace(".", ",")
    return values.text(value)


def _row(line: int, cells: dict[str, Any], bank: str) -> tuple[TableRow | None, list[tuple[int, str]]]:
    errors = RowErrors("Tabela")
    row = parse_table_row(line, {k: _cell(v) for k, v in cells.items()}, {bank}, errors)
    return row, errors.errors


def convert(cells: dict[str, Any], bank: str) -> Record:
    """Checks the row (every problem of it in one message); the rows are built again,
    with their line numbers, when the whole file is stored."""
    row, errors = _row(0, cells, bank)
    if errors or row is None:
        raise values.RowError("; ".join(message for _, message in errors) or "linha inválida.")
    return {
        "cells": {k: _cell(v) for k, v in cells.items()},
        "product": row.product,
        "agreement": row.agreement,
        "table_code": row.table_code,
        "terms": f"{row.term_from}–{row.term_to}",
        "flat": f"{row.flat}%".replace(".", ","),
        "valid_from": row.valid_from,
    }


def _day(raw: Any) -> date | None:
    return date.fromisoformat(raw) if raw else None


def persist(
    session: Session, import_id: int, bank: str, batch: Sequence[tuple[int, Record]]
) -> list[tuple[Any, ...]]:
    """Every row of the file at once → one draft version; any error → nothing stored."""
    record = records.import_record(session, import_id)
    rows: list[TableRow] = []
    problems: list[tuple[Any, ...]] = []
    for line, cells in batch:
        row, errors = _row(line, cells["cells"], bank)
        problems.extend((at, message, "error") for at, message in errors)
        if row is not None:
            rows.append(row)
    problems.extend((at, message, "error") for at, message in overlap_errors(rows))
    if problems:
        return problems
    options = record.options or {}
    valid_from, valid_to = _day(options.get("valid_from")), _day(options.get("valid_to"))
    if valid_from is None:
        valid_from = min(r.valid_from for r in rows)
        ends = [r.valid_to for r in rows]
        valid_to = valid_to or (None if any(e is None for e in ends) else max(e for e in ends if e))
    user = session.get(User, record.created_by_id) if record.created_by_id else None
    actor = Actor(id=user.id, label=user.email) if user else Actor(id=None, label="linha de comando")
    version = tables.create_draft(
        session,
        actor,
        bank_code=bank,
        valid_from=valid_from,
        valid_to=valid_to,
        rows=rows,
        note=str(options.get("note") or ""),
        source_filename=record.filename,
        source_sha256=record.sha256,
    )
    records.link(session, record, records.key_of(NAME, bank, record.sha256), version.id, 0)
    session.flush()
    return []


def draft_of(session: Session, import_id: int) -> TableVersion | None:
    """The version an import created (None when it created none)."""
    ids = records.entity_ids(session, import_id)
    return session.get(TableVersion, ids[0]) if ids else None


def revert(session: Session, import_id: int) -> int:
    """Delete the draft the import created (its rows go with it)."""
    version = draft_of(session, import_id)
    if version is None:
        records.forget(session, import_id)
        return 0
    if version.state != VersionState.DRAFT.value:
        raise DomainError(
            f"A versão {version.label} já saiu do rascunho: retire-a na página da tabela em vez de desfazer."
        )
    count = len(version.rows)
    session.delete(version)
    records.forget(session, import_id)
    session.flush()
    return count


def options_from(valid_from: date | None, valid_to: date | None, note: str) -> dict[str, Any]:
    """The options a table import carries (JSON-safe)."""
    return {
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_to": valid_to.isoformat() if valid_to else None,
        "note": note,
    }


KIND = register_kind(
    Kind(
        name=NAME,
        label="Tabela de comissões do banco",
        fields=FIELDS,
        convert=convert,
        persist=persist,
        revert=revert,
        preview_columns=(
            ("product", "Produto"),
            ("agreement", "Convênio"),
            ("table_code", "Tabela"),
            ("terms", "Prazo"),
            ("flat", "Flat %"),
            ("valid_from", "Vigência de"),
        ),
        standard_layout=True,
        whole_file=True,
    )
)
