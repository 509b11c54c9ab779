"""Imports with a database: prepare (checks, header, layout), save a layout, preview, run,
revert. Services flush, never commit: the caller (request, job, CLI) commits once.

Idempotency: a file whose SHA-256 was already imported (and not undone) for the same
kind and bank is refused with the date it came in; rows carry a natural key the kind's
table keeps unique, so an overlapping file never counts a line twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core import audit, formats
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.imports import engine
from portal.core.imports.headers import field_aliases
from portal.core.imports.kinds import Kind, Record, get_kind
from portal.core.imports.models import DataImport, ImportLayout
from portal.core.imports.sources import Source, open_source
from portal.core.imports.writer import BatchWriter

BATCH_ROWS = 5000
MAX_PROBLEMS = 5000  # problems kept on the record (the counters hold the true totals)
PREVIEW_ROWS = 20
Report = Callable[[int, int | None, str], None]
T = TypeVar("T")
#: runs a unit of work and commits it (a job's `ctx.step`); by default it just runs it
Step = Callable[[Callable[[], T]], T]


def _run_now(fn: Callable[[], T]) -> T:
    return fn()


def saved_layouts(
    session: Session, kind: str, bank_code: str, name: str | None = None
) -> list[engine.SavedLayout]:
    stmt = select(ImportLayout).where(ImportLayout.kind == kind, ImportLayout.bank_code == bank_code)
    if name:
        stmt = stmt.where(ImportLayout.name == name)
    rows = list(session.scalars(stmt.order_by(ImportLayout.id)))
    if name and not rows:
        raise DomainError(f"Layout “{name[:40]}” não existe para este banco.", field="layout")
    return [
        engine.SavedLayout(r.id, r.name, list(r.header), r.fingerprint, dict(r.mapping), dict(r.aliases))
        for r in rows
    ]


def imports_list(
    session: Session, status: str = "", limit: int = 500, kinds: Sequence[str] | None = None
) -> list[DataImport]:
    """The latest imports, newest first, optionally of one status and of some kinds only."""
    stmt = select(DataImport).order_by(DataImport.id.desc())
    if kinds is not None:
        stmt = stmt.where(DataImport.kind.in_(list(kinds)))
    if status:
        stmt = stmt.where(DataImport.status == status)
    return list(session.scalars(stmt.limit(limit)))


def already_imported(session: Session, kind: str, bank_code: str, sha256: str) -> DataImport | None:
    return session.scalar(
        select(DataImport).where(
            DataImport.sha256 == sha256,
            DataImport.kind == kind,
            DataImport.bank_code == bank_code,
            DataImport.status.in_(("done", "queued")),
        )
    )


def refuse_duplicate(session: Session, kind: str, bank_code: str, sha256: str) -> None:
    previous = already_imported(session, kind, bank_code, sha256)
    if previous is not None:
        when = formats.day(previous.created_at)
        raise DomainError(
            f"Arquivo já importado em {when} (importação nº {previous.id}): nada foi alterado.",
            field="file",
        )


def prepare(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    bank_code: str,
    path: str | os.PathLike[str],
    filename: str,
    sha256: str,
    source: str = "upload",
    sheet: str | None = None,
    layout_name: str | None = None,
    storage_name: str | None = None,
    options: dict[str, Any] | None = None,
    opened: Source | None = None,
) -> DataImport:
    """Read the file's top and record the import: "ready" (a saved layout matches),
    "quarantined" (the bank's header changed: differences recorded) or "mapping".
    `opened`: the file already opened (`open_source(path)`), reused by `execute`."""
    spec = get_kind(kind)
    refuse_duplicate(session, kind, bank_code, sha256)
    opened = opened or open_source(path)
    layouts = saved_layouts(session, kind, bank_code, layout_name)
    analysis = engine.analyse(spec, opened, sheet, layouts)
    record = DataImport(
        kind=kind,
        bank_code=bank_code,
        source=source,
        filename=Path(filename).name[:200] or "arquivo",
        sha256=sha256,
        storage_name=storage_name,
        created_by_id=actor.id,
        options=dict(options or {}),
    )
    _apply(record, analysis)
    session.add(record)
    session.flush()
    if record.status == "quarantined":
        audit.record(session, actor, "imports.quarantined", f"data_import:{record.id}", record.differences)
    return record


def _apply(record: DataImport, analysis: engine.Analysis) -> None:
    record.file_format = analysis.format
    record.sheets = analysis.sheets
    record.sheet = analysis.sheet
    record.header_line = analysis.header_line
    record.headers = analysis.headers
    record.fingerprint = analysis.fingerprint
    record.mapping = analysis.proposed
    record.status = analysis.status
    record.layout_id = analysis.layout.id if analysis.layout else None
    record.differences = {}
    record.message = ""
    if analysis.nearest is not None:
        record.differences = {"layout": analysis.nearest.name, **analysis.differences}
        record.message = f"O cabeçalho mudou em relação ao layout “{analysis.nearest.name}”."


def reanalyse(
    session: Session, record: DataImport, path: str | os.PathLike[str], sheet: str | None
) -> DataImport:
    """Another sheet of the same file (or the same again after a layout was saved)."""
    check_open(record)
    layouts = saved_layouts(session, record.kind, record.bank_code)
    _apply(record, engine.analyse(get_kind(record.kind), open_source(path), sheet, layouts))
    session.flush()
    return record


def check_open(record: DataImport) -> None:
    if record.status not in ("mapping", "ready", "quarantined"):
        raise DomainError("Esta importação já foi processada.")


def save_layout(
    session: Session,
    actor: Actor,
    record: DataImport,
    *,
    name: str,
    mapping: dict[str, str],
    aliases: dict[str, list[str]],
) -> ImportLayout:
    """Save (or update, by name) the bank's layout from this file's header and map the file."""
    check_open(record)
    spec = get_kind(record.kind)
    name = " ".join(name.split())[:80]
    if not name:
        raise DomainError("Dê um nome ao layout.", field="layout_name")
    mapping = {k: v for k, v in mapping.items() if v}
    unknown = [v for v in mapping.values() if v not in record.headers]
    if unknown:
        raise DomainError(f"Coluna “{unknown[0][:40]}” não existe no arquivo.")
    if len(set(mapping.values())) < len(mapping):
        raise DomainError("A mesma coluna foi escolhida para dois campos.")
    problems = spec.mapping_problems(mapping)
    if problems:
        raise DomainError(" ".join(problems))
    layout = session.scalar(
        select(ImportLayout).where(
            ImportLayout.kind == record.kind,
            ImportLayout.bank_code == record.bank_code,
            ImportLayout.name == name,
        )
    )
    if layout is None:
        layout = ImportLayout(kind=record.kind, bank_code=record.bank_code, name=name, created_by_id=actor.id)
        session.add(layout)
    layout.header = list(record.headers)
    layout.fingerprint = record.fingerprint
    layout.mapping = mapping
    layout.aliases = {k: [a for a in v if a.strip()] for k, v in aliases.items() if v}
    session.flush()
    record.layout_id, record.mapping, record.status = layout.id, mapping, "ready"
    record.differences, record.message = {}, ""
    audit.record(
        session,
        actor,
        "imports.layout_saved",
        f"import_layout:{layout.id}",
        {"name": name, "mapping": mapping},
    )
    session.flush()
    return layout


def default_aliases(record: DataImport, layout: ImportLayout | None) -> dict[str, list[str]]:
    return field_aliases(get_kind(record.kind), dict(layout.aliases) if layout else None)


# ----------------------------------------------------------------- read & run


def _analysis(record: DataImport) -> engine.Analysis:
    return engine.Analysis(
        record.file_format,
        list(record.sheets),
        record.sheet or "",
        record.header_line or 0,
        list(record.headers),
        record.fingerprint,
    )


def _rows(
    record: DataImport, path: str | os.PathLike[str], opened: Source | None = None
) -> Iterator[tuple[int, Record | None, str | None]]:
    spec = get_kind(record.kind)
    source = opened or open_source(path)
    return engine.records(spec, source, _analysis(record), dict(record.mapping), record.bank_code)


@dataclass
class Preview:
    rows: list[tuple[int, Record]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    valid: int = 0
    invalid: int = 0
    credits: Decimal = Decimal("0")
    debits: Decimal = Decimal("0")


def preview(record: DataImport, path: str | os.PathLike[str], limit: int = PREVIEW_ROWS) -> Preview:
    """First rows as read, every row error (line + reason) and the totals, nothing stored."""
    if record.status != "ready":
        raise DomainError("Mapeie as colunas antes da pré-visualização.")
    spec = get_kind(record.kind)
    result = Preview()
    for line, row, error in _rows(record, path):
        if row is None:
            result.invalid += 1
            if len(result.errors) < 200:
                result.errors.append((line, error or ""))
            continue
        result.valid += 1
        if len(result.rows) < limit:
            result.rows.append((line, row))
        amount = row.get(spec.amount_key) if spec.amount_key else None
        if amount is not None:
            if amount > 0:
                result.credits += amount
            else:
                result.debits += amount
    return result


def execute(
    session: Session,
    actor: Actor,
    record: DataImport,
    path: str | os.PathLike[str],
    report: Report | None = None,
    step: Step[Any] | None = None,
    *,
    opened: Source | None = None,
) -> DataImport:
    """Store every valid row (bulk, in batches), counting imported / skipped / errors.
    A whole-file kind (a commission table) with any bad row stores nothing and ends
    "failed", its problems listed line by line.

    Without `step` it all runs in the caller's transaction: a failure stores nothing of the
    file, and on PostgreSQL a kind that stores in bulk (`Kind.bulk`) has a batch stored
    while the next is read (`writer.BatchWriter`). A job passes its `ctx.step`: each batch
    of a row-by-row kind (and the counters so far) is committed in a short transaction of
    its own, so a long file never holds the database (SQLite has one writer) and the rows
    already stored survive a crash; the job then marks the import failed, and sending the
    file again skips them."""
    if record.status not in ("ready", "queued"):
        raise DomainError("Esta importação não está pronta para rodar.")
    refuse_duplicate_other(session, record)
    spec = get_kind(record.kind)
    problems: list[list[Any]] = []
    counts = {"rows": 0, "imported": 0, "skipped": 0, "errors": 0}
    credits, debits = Decimal("0"), Decimal("0")
    batch: list[tuple[int, Record]] = []
    errors: list[list[Any]] = []  # row errors read since the last batch was sent
    run = _run_now if spec.whole_file or step is None else step
    in_steps = run is not _run_now

    def stored(batch_errors: list[Any], size: int, refused: list[tuple[Any, ...]]) -> None:
        for problem in batch_errors:
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)
        for item in refused:  # (line, reason) or (line, reason, "error" | "skipped")
            what = item[2] if len(item) > 2 else "skipped"
            counts["errors" if what == "error" else "skipped"] += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append([item[0], what, item[1]])
        counts["imported"] += size - len(refused)
        if report is not None and size:
            report(counts["rows"], None, f"{counts['rows']} linhas lidas")

    def persist(rows: list[tuple[int, Record]]) -> list[tuple[Any, ...]]:
        def store() -> list[tuple[Any, ...]]:
            refused = spec.persist(session, record.id, record.bank_code, rows)
            if in_steps:  # the progress so far, committed with the batch
                current = session.get_one(DataImport, record.id)
                current.rows_total = counts["rows"]
                current.imported = counts["imported"] + len(rows) - len(refused)
                session.flush()
            return refused

        return run(store)

    batch_rows = min(BATCH_ROWS, spec.batch_rows)
    with BatchWriter(session, persist, stored, concurrent=spec.bulk and not in_steps) as writer:
        for line, row, error in _rows(record, path, opened):
            counts["rows"] += 1
            if row is None:
                counts["errors"] += 1
                if len(problems) + len(errors) < MAX_PROBLEMS:
                    errors.append([line, "error", error or ""])
                continue
            amount = row.get(spec.amount_key) if spec.amount_key else None
            if amount is not None:
                if amount > 0:
                    credits += amount
                else:
                    debits += amount
            batch.append((line, row))
            if len(batch) >= batch_rows and not spec.whole_file:
                writer.send(batch, errors)
                batch, errors = [], []
        if spec.whole_file and counts["errors"]:
            batch = []  # all or nothing: a bad row stores none of the file
        writer.send(batch, errors)
        writer.close()
    if counts["rows"] == 0:
        raise DomainError("A planilha não tem linhas de dados.", field="file")

    def finish() -> DataImport:
        done = session.get_one(DataImport, record.id)
        done.rows_total, done.imported = counts["rows"], counts["imported"]
        done.skipped, done.errors = counts["skipped"], counts["errors"]
        done.problems = problems
        done.totals = {"credits": str(credits), "debits": str(debits)}
        done.status, done.finished_at = "done", utcnow()
        if spec.whole_file and counts["errors"]:
            done.status, done.imported = "failed", 0
            done.message = (
                f"{counts['errors']} linha(s) com erro: nada foi importado. Corrija e envie de novo."
            )
        session.flush()
        audit.record(
            session,
            actor,
            "imports.done" if done.status == "done" else "imports.refused",
            f"data_import:{done.id}",
            {"kind": done.kind, "bank": done.bank_code, "sha256": done.sha256, **counts},
        )
        return done

    record = run(finish)
    if report is not None:
        report(counts["rows"], counts["rows"], "Importação concluída")
    return record


def refuse_duplicate_other(session: Session, record: DataImport) -> None:
    previous = already_imported(session, record.kind, record.bank_code, record.sha256)
    if previous is not None and previous.id != record.id:
        refuse_duplicate(session, record.kind, record.bank_code, record.sha256)


def revert(session: Session, actor: Actor, record: DataImport) -> int:
    """Undo a whole import: its rows are deleted (audited) and the file may come in again.
    An import a crash interrupted after committing some rows can be undone too."""
    interrupted = record.status == "failed" and record.imported > 0
    if record.status != "done" and not interrupted:
        raise DomainError("Só uma importação concluída pode ser desfeita.")
    deleted = get_kind(record.kind).revert(session, record.id)
    record.status, record.reverted_at, record.reverted_by_id = "reverted", utcnow(), actor.id
    session.flush()
    audit.record(
        session,
        actor,
        "imports.reverted",
        f"data_import:{record.id}",
        {"kind": record.kind, "bank": record.bank_code, "deleted": deleted, "sha256": record.sha256},
    )
    return deleted


def problem_rows(record: DataImport) -> Iterator[list[Any]]:
    labels = {"error": "Erro", "skipped": "Ignorada"}
    for line, what, reason in record.problems or []:
        yield [line, labels.get(what, what), reason]


PROBLEM_HEADERS = ("Linha", "Situação", "Motivo")


def kind_of(record: DataImport) -> Kind:
    return get_kind(record.kind)
