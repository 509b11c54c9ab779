"""Bank commission table versions: draft → approved → retired.

Approved versions are read-only; a change is a new draft copied from one (`new_draft_from`)
whose approval retires the version it replaces. Approval checks the regulatory upfront
cap on every row. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.banks import rules
from portal.banks.models import Bank
from portal.commissions.models import TableRowRecord, TableVersion, VersionState
from portal.commissions.types import CalcBase, ClawbackRule, TableRow
from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.money import format_percent

PORTABILITY_PRODUCTS = frozenset({"portability", "portability_refin"})
CAP = "commission_upfront_cap_pct"
CAP_PORTABILITY = "commission_upfront_cap_portability_pct"
# Fields that identify a row across versions (compare) and those that say what it pays.
IDENTITY = ("product", "agreement", "table_code", "term_from", "term_to", "rate_from", "rate_to")
TERMS = (
    "valid_from",
    "valid_to",
    "base",
    "flat",
    "deferred",
    "deferred_months",
    "bonus",
    "fixed",
    "clawback_days",
    "clawback_rule",
)


# ------------------------------------------------------------------ conversion


# Stored row and engine row share these fields as they are (base and clawback_rule are enums).
_COPIED = IDENTITY + tuple(name for name in TERMS if name not in ("base", "clawback_rule"))


def _copied(source: TableRowRecord | TableRow) -> dict[str, Any]:
    return {name: getattr(source, name) for name in _COPIED}


def to_table_row(record: TableRowRecord, version: TableVersion) -> TableRow:
    """The engine's view of a stored row (with the version label and ids for explanations)."""
    return TableRow(
        bank=version.bank_code,
        **_copied(record),
        base=CalcBase(record.base),
        clawback_rule=ClawbackRule(record.clawback_rule),
        version_label=version.label,
        line_no=record.line_no,
        row_id=record.id,
        version_id=version.id,
    )


def version_rows(version: TableVersion) -> list[TableRow]:
    return [to_table_row(r, version) for r in version.rows]


def _record(row: TableRow, line_no: int) -> TableRowRecord:
    return TableRowRecord(
        line_no=line_no,
        **_copied(row),
        base=CalcBase(row.base).value,
        clawback_rule=ClawbackRule(row.clawback_rule).value,
    )


# ------------------------------------------------------------------ reads


def get_version(session: Session, version_id: int) -> TableVersion:
    version = session.scalar(
        select(TableVersion).options(selectinload(TableVersion.rows)).where(TableVersion.id == version_id)
    )
    if version is None:
        raise DomainError("Versão de tabela não encontrada.")
    return version


def versions_query(bank_code: str = "", state: str = ""):
    """Versions for the list page (newest first), optionally by bank and state."""
    stmt = select(TableVersion)
    if bank_code:
        stmt = stmt.where(TableVersion.bank_code == bank_code)
    if state:
        stmt = stmt.where(TableVersion.state == state)
    return stmt.order_by(TableVersion.bank_code, TableVersion.number.desc())


def approved_rows_on(session: Session, banks: Iterable[str], first: date, last: date) -> list[TableRow]:
    """Rows of every approved version of `banks` valid at some day in [first, last]: one
    query for a whole month of contracts (resolution then picks per contract and day)."""
    stmt = (
        select(TableRowRecord, TableVersion)
        .join(TableVersion, TableVersion.id == TableRowRecord.version_id)
        .where(
            TableVersion.bank_code.in_(sorted(set(banks))),
            TableVersion.state == VersionState.APPROVED.value,
            TableVersion.valid_from <= last,
            or_(TableVersion.valid_to.is_(None), TableVersion.valid_to >= first),
        )
        .order_by(TableVersion.id, TableRowRecord.line_no)
    )
    return [to_table_row(record, version) for record, version in session.execute(stmt)]


def versions_valid_on(session: Session, bank_code: str, on: date) -> list[TableVersion]:
    return list(
        session.scalars(
            select(TableVersion).where(
                TableVersion.bank_code == bank_code,
                TableVersion.state == VersionState.APPROVED.value,
                TableVersion.valid_from <= on,
                or_(TableVersion.valid_to.is_(None), TableVersion.valid_to >= on),
            )
        )
    )


# ------------------------------------------------------------------ writes


def _next_number(session: Session, bank_code: str) -> int:
    latest = session.scalar(select(func.max(TableVersion.number)).where(TableVersion.bank_code == bank_code))
    return (latest or 0) + 1


def _check_rows(bank_code: str, rows: Sequence[TableRow]) -> None:
    for index, row in enumerate(rows, start=1):
        line = row.line_no or index
        if row.bank and row.bank != bank_code:
            raise DomainError(f"Linha {line}: banco “{row.bank}” diferente do banco da tabela ({bank_code}).")
        if row.term_from > row.term_to or row.rate_from > row.rate_to:
            raise DomainError(f"Linha {line}: faixa de prazo ou de taxa invertida.")


def create_draft(
    session: Session,
    actor: Actor,
    *,
    bank_code: str,
    valid_from: date,
    valid_to: date | None,
    rows: Sequence[TableRow],
    note: str = "",
    source_filename: str | None = None,
    source_sha256: str | None = None,
    supersedes: TableVersion | None = None,
) -> TableVersion:
    """A new draft version of `bank_code`'s table with `rows` (line numbers kept when given)."""
    if session.scalar(select(Bank.id).where(Bank.code == bank_code)) is None:
        raise DomainError(f"Banco desconhecido: {bank_code}.", field="bank_code")
    if valid_to is not None and valid_to < valid_from:
        raise DomainError("A vigência termina antes de começar.", field="valid_to")
    if not rows:
        raise DomainError("A tabela não tem linhas.")
    _check_rows(bank_code, rows)
    version = TableVersion(
        bank_code=bank_code,
        number=_next_number(session, bank_code),
        valid_from=valid_from,
        valid_to=valid_to,
        state=VersionState.DRAFT.value,
        supersedes_id=supersedes.id if supersedes else None,
        note=" ".join(note.split())[:300],
        source_filename=source_filename,
        source_sha256=source_sha256,
        created_by_id=actor.id,
        created_by_label=actor.label,
        rows=[_record(row, row.line_no or i) for i, row in enumerate(rows, start=1)],
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        "commission_table.draft",
        f"commission_table:{version.id}",
        {"bank": bank_code, "number": version.number, "rows": len(rows)},
    )
    return version


def new_draft_from(session: Session, actor: Actor, version: TableVersion, note: str = "") -> TableVersion:
    """A draft copy of an approved (or retired) version: the way to change a table."""
    if version.state == VersionState.DRAFT.value:
        raise DomainError("Esta versão ainda é um rascunho: edite-a diretamente.")
    return create_draft(
        session,
        actor,
        bank_code=version.bank_code,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        rows=version_rows(version),
        note=note or f"Cópia de {version.label}",
        supersedes=version,
    )


def replace_rows(session: Session, actor: Actor, version: TableVersion, rows: Sequence[TableRow]) -> None:
    """Replace a draft's rows (a new import into the draft); approved versions refuse."""
    _require_draft(version)
    if not rows:
        raise DomainError("A tabela não tem linhas.")
    _check_rows(version.bank_code, rows)
    version.rows.clear()
    session.flush()
    version.rows.extend(_record(row, row.line_no or i) for i, row in enumerate(rows, start=1))
    session.flush()
    audit.record(
        session,
        actor,
        "commission_table.rows_replaced",
        f"commission_table:{version.id}",
        {"rows": len(rows)},
    )


def _require_draft(version: TableVersion) -> None:
    if version.state != VersionState.DRAFT.value:
        raise DomainError(
            f"A versão {version.label} está {version.state_label.lower()} e não pode ser alterada."
        )


def cap_problems(session: Session, version: TableVersion) -> list[str]:
    """Rows whose upfront (flat + bonus) exceeds the regulatory cap in force when the
    version starts, each named by line: what blocks approval."""
    cap = rules.parameter(session, CAP, version.valid_from)
    cap_port = rules.parameter(session, CAP_PORTABILITY, version.valid_from)
    problems = []
    for row in version.rows:
        limit = cap_port if row.product in PORTABILITY_PRODUCTS else cap
        upfront = row.flat + row.bonus
        if upfront > limit:
            which = "portabilidade" if row.product in PORTABILITY_PRODUCTS else "demais produtos"
            problems.append(
                f"Linha {row.line_no} ({row.product}, convênio {row.agreement}, tabela {row.table_code}): "
                f"flat + bônus = {format_percent(upfront)} acima do teto de {format_percent(limit)} "
                f"da base ({which})."
            )
    return problems


def approve(session: Session, actor: Actor, version: TableVersion) -> TableVersion:
    """Approve a draft: rows within the cap, no other approved version of the bank over the
    same days (except the one it replaces, which is retired now)."""
    _require_draft(version)
    problems = cap_problems(session, version)
    if problems:
        raise DomainError("Aprovação bloqueada pelo teto regulatório. " + " ".join(problems))
    overlapping = session.scalars(
        select(TableVersion).where(
            TableVersion.bank_code == version.bank_code,
            TableVersion.state == VersionState.APPROVED.value,
            TableVersion.id != (version.supersedes_id or 0),
            or_(TableVersion.valid_to.is_(None), TableVersion.valid_to >= version.valid_from),
            *([TableVersion.valid_from <= version.valid_to] if version.valid_to else []),
        )
    ).first()
    if overlapping is not None:
        raise DomainError(
            f"A versão {overlapping.label} já vale nesse período: crie a nova versão a partir dela "
            "ou ajuste a vigência."
        )
    now = utcnow()
    if version.supersedes_id:
        previous = session.get(TableVersion, version.supersedes_id)
        if previous is not None and previous.state == VersionState.APPROVED.value:
            previous.state = VersionState.RETIRED.value
            previous.retired_at = now
    version.state = VersionState.APPROVED.value
    version.approved_at = now
    version.approved_by_id = actor.id
    version.approved_by_label = actor.label
    session.flush()
    audit.record(
        session,
        actor,
        "commission_table.approved",
        f"commission_table:{version.id}",
        {"label": version.label},
    )
    return version


def retire(session: Session, actor: Actor, version: TableVersion) -> TableVersion:
    if version.state != VersionState.APPROVED.value:
        raise DomainError("Só versões aprovadas podem ser retiradas.")
    version.state = VersionState.RETIRED.value
    version.retired_at = utcnow()
    session.flush()
    audit.record(
        session, actor, "commission_table.retired", f"commission_table:{version.id}", {"label": version.label}
    )
    return version


# ------------------------------------------------------------------ compare


@dataclass
class RowChange:
    old: TableRowRecord
    new: TableRowRecord
    fields: list[str]


@dataclass
class Comparison:
    """Two versions side by side: rows only in `new`, only in `old`, and changed ones."""

    old: TableVersion
    new: TableVersion
    added: list[TableRowRecord] = field(default_factory=list)
    removed: list[TableRowRecord] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def compare(old: TableVersion, new: TableVersion) -> Comparison:
    """Rows matched by what they cover (product, agreement, table code, ranges)."""

    def identity(row: TableRowRecord) -> tuple:
        return tuple(getattr(row, name) for name in IDENTITY)

    before = {identity(r): r for r in old.rows}
    after = {identity(r): r for r in new.rows}
    result = Comparison(old=old, new=new)
    for key, row in after.items():
        previous = before.get(key)
        if previous is None:
            result.added.append(row)
            continue
        fields = [name for name in TERMS if getattr(previous, name) != getattr(row, name)]
        if fields:
            result.changed.append(RowChange(previous, row, fields))
        else:
            result.unchanged += 1
    result.removed = [row for key, row in before.items() if key not in after]
    return result
