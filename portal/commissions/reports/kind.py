"""The "bank-report" import kind: a bank's commission report → `bank_report_lines`.

Amount: one signed column (VLRAF-style "Valor"), or a CREDITO and a DEBITO column (the
debit is stored negative). The line's kind follows the sign; its component comes from
the bank's description of the entry ("COMISSAO FLAT", "DIFERIDO PARC 3", "ESTORNO"...),
unless a component column is mapped. Rows are stored in bulk (COPY on PostgreSQL,
multi-row INSERT elsewhere). On PostgreSQL a batch is copied straight in (no lookup);
a batch meeting a natural key already stored is copied into a temporary table instead and
moved with INSERT ... ON CONFLICT DO NOTHING. Elsewhere the keys present are looked up
first (one query per 900 keys).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from portal.commissions.reports.models import BankReportLine
from portal.core.imports import values
from portal.core.imports.kinds import Field, Kind, Record, register_kind
from portal.core.spreadsheets import normalize_header

NAME = "bank-report"
LOOKUP_CHUNK = 900  # natural keys per IN (...) query
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE

FIELDS = (
    Field(
        "contract",
        "Contrato",
        ("CODIGOAF", "CONTRATO", "NR CONTRATO", "NUM CONTRATO", "Nº Contrato", "ADE", "PROPOSTA"),
        required=True,
    ),
    Field(
        "line_date",
        "Data",
        ("DATA", "DT LANCAMENTO", "DATA LANCAMENTO", "DT PAGAMENTO", "DATA PAGAMENTO", "COMPETENCIA"),
        required=True,
    ),
    Field(
        "amount",
        "Valor (com sinal)",
        ("VALOR", "VL COMISSAO", "VALOR COMISSAO", "VLR COMISSAO", "Valor Comissão"),
    ),
    Field("credit", "Crédito", ("CREDITO", "VL CREDITO")),
    Field("debit", "Débito", ("DEBITO", "VL DEBITO")),
    Field(
        "description",
        "Tipo de lançamento",
        ("DS_TIPOLANCAMENTO", "TIPO LANCAMENTO", "TIPO", "HISTORICO", "DESCRICAO", "EVENTO"),
    ),
    Field("component", "Componente", ("COMPONENTE",)),
    Field("installment", "Parcela", ("PARCELA", "NR PARCELA", "PARC")),
    Field(
        "operator_code",
        "Código do operador",
        ("CODIGO OPERADOR", "OPERADOR", "COD OPERADOR", "CPF DIGITADOR", "USUARIO"),
    ),
    Field("base", "Valor base (informativo)", ("VLRAF", "VL PRINCIPAL", "Valor Base", "VALOR LIBERADO")),
)

_COMPONENT_WORDS = (
    ("estorno", "estorno"),
    ("chargeback", "estorno"),
    ("devolucao", "estorno"),
    ("diferid", "diferido"),
    ("parcelad", "diferido"),
    ("mensal", "diferido"),
    ("bonus", "bonus"),
    ("premio", "bonus"),
    ("campanha", "bonus"),
    ("fixo", "fixo"),
    ("tarifa", "fixo"),
    ("seguro", "fixo"),
    ("flat", "flat"),
    ("a vista", "flat"),
    ("avista", "flat"),
    ("comissao", "flat"),
    ("producao", "flat"),
)
_COMPONENTS = {"flat", "diferido", "bonus", "fixo", "estorno", "outro"}


@functools.lru_cache(maxsize=4096)
def component_of(description: str) -> str:
    """The component a bank's entry description names ("ESTORNO COMISSAO" → estorno);
    remembered, since a report repeats a handful of descriptions on every line."""
    words = normalize_header(description)
    if words in _COMPONENTS:
        return words
    for needle, component in _COMPONENT_WORDS:
        if needle in words:
            return component
    return "outro"


def natural_key(
    bank: str, contract: str, kind: str, component: str, installment: int | None, day: date
) -> str:
    raw = (
        f"{bank}|{contract}|{kind}|{component}|{'' if installment is None else installment}|{day.isoformat()}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def convert(cells: dict[str, Any], bank: str) -> Record:
    contract = values.text(cells.get("contract"))
    if not contract:
        raise values.RowError("Contrato em branco.")
    if len(contract) > 60:
        raise values.RowError("Contrato com mais de 60 caracteres.")
    day = values.day(cells.get("line_date"), "Data")
    if "amount" in cells:
        amount = values.money(cells["amount"], "Valor")
    else:
        credit = values.optional_money(cells.get("credit"), "Crédito") or Decimal("0")
        debit = values.optional_money(cells.get("debit"), "Débito") or Decimal("0")
        amount = abs(credit) - abs(debit)
    if amount == 0:
        raise values.RowError("Valor zerado: nem crédito nem débito.")
    kind = "credito" if amount > 0 else "debito"
    described = values.text(cells.get("component")) or values.text(cells.get("description"))
    component = component_of(described)
    installment = values.optional_int(cells.get("installment"), "Parcela")
    operator = values.text(cells.get("operator_code"))[:40] or None
    return {
        "bank_code": bank,
        "contract": contract,
        "operator_code": operator,
        "kind": kind,
        "component": component,
        "installment": installment,
        "line_date": day,
        "amount": amount,
        "natural_key": natural_key(bank, contract, kind, component, installment, day),
    }


def check_mapping(mapping: dict[str, str]) -> list[str]:
    if mapping.get("amount") and (mapping.get("credit") or mapping.get("debit")):
        return ["Mapeie o valor com sinal ou as colunas de crédito/débito, não os dois."]
    if not (mapping.get("amount") or mapping.get("credit") or mapping.get("debit")):
        return ["Mapeie a coluna de valor (ou as de crédito e débito)."]
    return []


def _existing(session: Session, bank: str, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        stmt = select(BankReportLine.natural_key, BankReportLine.import_id).where(
            BankReportLine.bank_code == bank, BankReportLine.natural_key.in_(chunk)
        )
        found.update(session.execute(stmt).tuples().all())
    return found


def persist(
    session: Session, import_id: int, bank: str, batch: Sequence[tuple[int, Record]]
) -> list[tuple[int, str]]:
    """Store the batch's new lines; a natural key seen before is skipped with the reason."""
    skipped: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    fresh: list[Record] = []
    for line, record in batch:
        key = record["natural_key"]
        if key in first_line:
            skipped.append((line, f"Lançamento repetido (igual ao da linha {first_line[key]})."))
            continue
        first_line[key] = line
        fresh.append(record)
    if not fresh:
        return skipped
    if session.get_bind().dialect.name == "postgresql":
        taken = _copy_new(session, import_id, fresh)  # COPY + INSERT ... ON CONFLICT DO NOTHING
        owners = _existing(session, bank, taken) if taken else {}
    else:
        owners = _existing(session, bank, list(first_line))
        taken = [key for key in first_line if key in owners]
        rows = [{**r, "import_id": import_id} for r in fresh if r["natural_key"] not in owners]
        if rows:
            session.execute(insert(BankReportLine), rows)
    for key in sorted(taken, key=first_line.__getitem__):
        owner = owners[key]
        reason = (
            "Lançamento repetido no arquivo."
            if owner == import_id
            else f"Lançamento já importado (importação nº {owner})."
        )
        skipped.append((first_line[key], reason))
    return skipped


_COLUMNS = (
    "import_id",
    "bank_code",
    "contract",
    "operator_code",
    "kind",
    "component",
    "installment",
    "line_date",
    "amount",
    "natural_key",
)
_STAGING = "bank_report_staging"
_COLUMN_LIST = ", ".join(_COLUMNS)
# Fixed statements (no user input): the staging table, filled by COPY, moved in one INSERT.
_CREATE_STAGING = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} ON COMMIT DROP AS "  # noqa: S608
    f"SELECT {_COLUMN_LIST} FROM bank_report_lines WITH NO DATA"
)
_COPY_DIRECT = f"COPY bank_report_lines ({_COLUMN_LIST}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
_COPY_STAGING = f"COPY {_STAGING} ({_COLUMN_LIST}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
_MOVE_STAGING = (
    f"WITH stored AS (INSERT INTO bank_report_lines ({_COLUMN_LIST}) "  # noqa: S608
    f"SELECT {_COLUMN_LIST} FROM {_STAGING} "
    "ON CONFLICT ON CONSTRAINT uq_bank_report_lines_key DO NOTHING RETURNING natural_key) "
    f"SELECT s.natural_key FROM {_STAGING} s "
    "WHERE NOT EXISTS (SELECT 1 FROM stored WHERE stored.natural_key = s.natural_key)"
)


def _copy_new(session: Session, import_id: int, rows: list[Record]) -> list[str]:
    """PostgreSQL: COPY the rows straight into the table (the usual case: new lines, no
    lookup first) inside a savepoint. When a natural key is already there the savepoint is
    rolled back and the batch goes through a temporary table (no index, dropped at commit)
    moved with INSERT ... ON CONFLICT DO NOTHING. Returns the natural keys already stored."""
    buffer = io.StringIO()
    write = csv.writer(buffer).writerow
    for row in rows:
        installment = row["installment"]
        write(
            (
                import_id,
                row["bank_code"],
                row["contract"],
                row["operator_code"] or r"\N",
                row["kind"],
                row["component"],
                r"\N" if installment is None else installment,
                row["line_date"].isoformat(),
                int(row["amount"] * 100),
                row["natural_key"],
            )
        )
    buffer.seek(0)
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute("SAVEPOINT bank_report_batch")
        try:
            cursor.copy_expert(_COPY_DIRECT, buffer)
        except Exception as error:
            if getattr(error, "pgcode", None) != UNIQUE_VIOLATION:
                raise
            cursor.execute("ROLLBACK TO SAVEPOINT bank_report_batch")
        else:
            cursor.execute("RELEASE SAVEPOINT bank_report_batch")
            return []
        cursor.execute("RELEASE SAVEPOINT bank_report_batch")
        buffer.seek(0)
        cursor.execute(_CREATE_STAGING)
        cursor.execute(f"TRUNCATE {_STAGING}")
        cursor.copy_expert(_COPY_STAGING, buffer)
        cursor.execute(_MOVE_STAGING)
        return [key for (key,) in cursor.fetchall()]
    finally:
        cursor.close()


def revert(session: Session, import_id: int) -> int:
    result = session.execute(delete(BankReportLine).where(BankReportLine.import_id == import_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


KIND = register_kind(
    Kind(
        name=NAME,
        label="Relatório de comissões do banco",
        fields=FIELDS,
        convert=convert,
        persist=persist,
        revert=revert,
        check_mapping=check_mapping,
        bulk=True,
        preview_columns=(
            ("contract", "Contrato"),
            ("line_date", "Data"),
            ("kind", "Tipo"),
            ("component", "Componente"),
            ("installment", "Parcela"),
            ("operator_code", "Operador"),
            ("amount", "Valor"),
        ),
        amount_key="amount",
    )
)
