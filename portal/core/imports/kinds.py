"""What a kind of import declares: its fields (with default column aliases), how one row
of mapped cells becomes a record, how a batch of records is stored and how an import is
undone. Domain packages register their kinds here (`register_kind`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from portal.core.errors import DomainError

Record = dict[str, Any]
#: (session, import id, bank code, [(line, record)]) → the rows not stored: (line, reason)
#: for a skipped one (already there), (line, reason, "error") for one a rule refused
Persist = Callable[[Session, int, str, Sequence[tuple[int, Record]]], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Kind:
    name: str  # "bank-report"
    label: str  # "Relatório de comissões do banco"
    fields: tuple[Field, ...]
    convert: Callable[[dict[str, Any], str], Record]  # (cells by field, bank) → record | RowError
    persist: Persist
    revert: Callable[[Session, int], int]  # deletes an import's rows, returns how many
    check_mapping: Callable[[dict[str, str]], list[str]] = lambda mapping: []
    preview_columns: tuple[tuple[str, str], ...] = ()  # (record key, label)
    amount_key: str | None = None  # record key summed in the totals (signed money)
    extra: dict[str, Any] = field(default_factory=dict)
    #: False: the file is not one bank's (proposals, clients): no bank is asked for
    needs_bank: bool = True
    #: True: a header the built-in aliases map completely is ready without a saved layout
    #: (the kind's own template), so only other headers need mapping or quarantine
    standard_layout: bool = False
    #: True: all or nothing; any row error refuses the file and `persist` gets every row
    #: at once (a commission table becomes one draft version)
    whole_file: bool = False
    #: who runs it in the pages: "finance" or "operations"
    audience: str = "finance"
    #: rows per `persist` call (and per progress report); kinds that run a domain service
    #: per row use small batches so the progress bar moves
    batch_rows: int = 5000
    #: True: `persist` stores in bulk (COPY / multi-row INSERT) and touches nothing but the
    #: session, so on PostgreSQL a batch is stored while the next is read
    bulk: bool = False

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def mapping_problems(self, mapping: dict[str, str]) -> list[str]:
        missing = [f.label for f in self.fields if f.required and not mapping.get(f.key)]
        problems = [f"Mapeie a coluna de {label}." for label in missing]
        return problems + self.check_mapping(mapping)

    def totals(self, records_amounts: Sequence[Decimal]) -> dict[str, str]:
        credits = sum((a for a in records_amounts if a > 0), Decimal("0"))
        debits = sum((a for a in records_amounts if a < 0), Decimal("0"))
        return {"credits": str(credits), "debits": str(debits)}


_KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> Kind:
    kind = _KINDS.get(name)
    if kind is None:
        raise DomainError("Tipo de importação desconhecido.", field="kind")
    return kind


def kind_choices() -> list[tuple[str, str]]:
    return [(k.name, k.label) for k in sorted(_KINDS.values(), key=lambda k: k.label)]
