"""Proposals that do not come through a bank API: typed by hand (file-only banks such as
Bradesco) or imported from a spreadsheet.

Clients are matched by CPF blind index *within the user's scope*; every row is validated
and reported (accepted / refused with the reason in Portuguese). An imported file is kept
(encrypted) with its SHA-256, and importing the same file again changes nothing.
`import_proposals` takes a `report(done, total, message)` callback so it can run inside a
background job with a progress bar.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.queries import bank_names
from portal.clients.models import Client
from portal.clients.queries import clients_for
from portal.core import audit, spreadsheets, upload_checks
from portal.core.audit import Actor
from portal.core.crypto import get_keyring
from portal.core.documents import is_valid_cpf, normalize_cpf
from portal.core.errors import Conflict, DomainError
from portal.core.money import parse_brl, parse_decimal_br
from portal.people.models import User
from portal.proposals.mapping import apply_bank_status
from portal.proposals.models import PRODUCT_LABELS, EventSource, Origin, Product, Proposal
from portal.proposals.pipeline_models import ProposalImport
from portal.proposals.services import NewProposal, create_proposal

MAX_ROWS = 20_000
BATCH_ROWS = 50  # rows per short transaction of a background import
T = TypeVar("T")
Report = Callable[[int, int | None, str], None]
Step = Callable[[Callable[[], T]], T]


@dataclass
class ManualProposal:
    """A proposal as typed in the form or read from one spreadsheet row."""

    cpf: str
    bank_code: str
    product: str
    agreement: str
    term_months: int
    gross_amount: Decimal
    net_amount: Decimal | None = None
    installment: Decimal | None = None
    monthly_rate: Decimal | None = None
    bank_proposal_number: str = ""
    bank_status: str = ""
    submitted_on: date | None = None


def find_client(session: Session, user: User, cpf: str) -> Client:
    """The client with this CPF among those the user may see."""
    digits = normalize_cpf(cpf)
    if not is_valid_cpf(digits):
        raise DomainError("CPF do cliente inválido.", field="cpf")
    client = session.scalar(
        clients_for(session, user).where(Client.cpf_index == get_keyring().blind_index(digits, "cpf"))
    )
    if client is None:
        raise DomainError("Cliente não encontrado na sua carteira: cadastre-o antes.", field="cpf")
    return client


def register_manual(
    session: Session,
    actor: Actor,
    user: User,
    data: ManualProposal,
    origin: Origin = Origin.MANUAL,
    source: EventSource = EventSource.USER,
) -> Proposal:
    """Register a proposal made outside the portal; its bank status goes through the mapping."""
    client = find_client(session, user, data.cpf)
    if data.bank_code not in bank_names(session):
        raise DomainError("Banco inválido.", field="bank_code")
    agreement = " ".join((data.agreement or "").split()).upper()[:40]
    if not agreement:
        raise DomainError("Informe o convênio.", field="agreement")
    number = (data.bank_proposal_number or "").strip()[:60]
    if number and session.scalar(
        select(Proposal.id).where(
            Proposal.bank_code == data.bank_code, Proposal.bank_proposal_number == number
        )
    ):
        raise Conflict(f"A proposta nº {number} deste banco já está cadastrada.")
    submitted_at = (
        datetime.combine(data.submitted_on, time(12), UTC) if data.submitted_on is not None else None
    )
    proposal = create_proposal(
        session,
        actor,
        NewProposal(
            client_id=client.id,
            agent_id=client.owner_id,
            bank_code=data.bank_code,
            product=data.product,
            agreement=agreement,
            term_months=data.term_months,
            gross_amount=data.gross_amount,
            net_amount=data.net_amount,
            installment=data.installment,
            monthly_rate=data.monthly_rate,
            bank_proposal_number=number or None,
            origin=origin.value,
            submitted_at=submitted_at,
        ),
        source=source.value,
    )
    if data.bank_status.strip():
        apply_bank_status(session, actor, proposal, data.bank_status, source=source.value)
    return proposal


# ------------------------------------------------------------------ spreadsheet

COLUMNS = {
    "cpf": ("CPF do cliente", "CPF"),
    "bank": ("Banco",),
    "product": ("Produto",),
    "agreement": ("Convênio", "Convenio"),
    "term": ("Prazo", "Prazo (meses)"),
    "gross": ("Valor bruto",),
    "net": ("Valor líquido", "Valor liquido"),
    "number": ("Nº da proposta", "Número da proposta", "Proposta"),
    "bank_status": ("Status do banco", "Status"),
}
REQUIRED = ("cpf", "bank", "product", "agreement", "term", "gross")


def _key(text: str) -> str:
    return spreadsheets.normalize_header(text)


# Names banks' own spreadsheets use besides the registered name and code.
_BANK_ALIASES = {
    "c6 bank": "c6",
    "c6 consig": "c6",
    "banco master": "master",
    "bradesco promotora": "bradesco",
}


def _bank_code(text: str, banks: dict[str, str]) -> str | None:
    """The registered bank a spreadsheet cell names (by code, registered name or alias)."""
    key = _key(text)
    names = {_key(name): code for code, name in banks.items()} | {_key(code): code for code in banks}
    code = names.get(key) or _BANK_ALIASES.get(key)
    return code if code in banks else None


bank_code_of = _bank_code


def product_of(text: str) -> str | None:
    """The product a spreadsheet cell names (code, Portuguese label or short name)."""
    return _PRODUCT_NAMES.get(_key(text))


_PRODUCT_NAMES = {_key(label): p.value for p, label in PRODUCT_LABELS.items()} | {
    _key(p.value): p.value for p in Product
}
_PRODUCT_NAMES |= {
    "novo": "new",
    "refin": "refin",
    "port": "portability",
    "rmc": "card",
    "rcc": "benefit_card",
}


def _money(text: str, label: str, required: bool = False) -> Decimal | None:
    if not text.strip():
        if required:
            raise DomainError(f"{label} em branco.")
        return None
    try:
        return parse_brl(text)
    except ValueError:
        raise DomainError(f"{label} inválido: “{text[:30]}”.") from None


def row_to_manual(
    row: dict[str, str], columns: dict[str, str | None], banks: dict[str, str]
) -> ManualProposal:
    """One spreadsheet row → ManualProposal, or DomainError saying what is wrong; `banks` are
    the registered ones (code → name)."""

    def cell(name: str) -> str:
        header = columns.get(name)
        return (row.get(header) or "").strip() if header else ""

    bank = _bank_code(cell("bank"), banks)
    if bank is None:
        raise DomainError(f"Banco desconhecido: “{cell('bank')[:30]}”.")
    product = _PRODUCT_NAMES.get(_key(cell("product")))
    if product is None:
        raise DomainError(f"Produto desconhecido: “{cell('product')[:30]}”.")
    try:
        term = int(parse_decimal_br(cell("term")))
    except ValueError:
        raise DomainError(f"Prazo inválido: “{cell('term')[:20]}”.") from None
    return ManualProposal(
        cpf=cell("cpf"),
        bank_code=bank,
        product=product,
        agreement=cell("agreement"),
        term_months=term,
        gross_amount=_money(cell("gross"), "Valor bruto", required=True),  # type: ignore[arg-type]
        net_amount=_money(cell("net"), "Valor líquido"),
        bank_proposal_number=cell("number"),
        bank_status=cell("bank_status"),
    )


def keep_file(data: bytes, storage_dir: str | os.PathLike[str]) -> str:
    """Store an uploaded spreadsheet encrypted (it holds CPFs); returns its random name."""
    name = secrets.token_hex(16)
    path = Path(storage_dir) / "imports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(get_keyring().encrypt_bytes(data, name))
    return name


def _kept_path(storage_name: str, storage_dir: str | os.PathLike[str]) -> Path:
    if not storage_name.isalnum():
        raise DomainError("Arquivo de importação inválido.")
    return Path(storage_dir) / "imports" / storage_name


def discard_kept_file(session: Session, storage_name: str, storage_dir: str | os.PathLike[str]) -> None:
    """Remove a kept file no import records (its job failed, or it never started), so a
    failed import leaves no spreadsheet full of CPFs behind."""
    referenced = session.scalar(select(ProposalImport.id).where(ProposalImport.storage_name == storage_name))
    if referenced is None:
        _kept_path(storage_name, storage_dir).unlink(missing_ok=True)


def read_kept_file(storage_name: str, storage_dir: str | os.PathLike[str]) -> bytes:
    blob = _kept_path(storage_name, storage_dir).read_bytes()
    return get_keyring().decrypt_bytes(blob, storage_name)


def read_spreadsheet(data: bytes, filename: str) -> tuple[spreadsheets.Table, dict[str, str | None]]:
    """Read the file and find its columns; DomainError (Portuguese) when it cannot be used.
    Cheap enough to run before queuing the import, so bad files are refused at upload.
    The file passes the upload gate first: real XLSX (no macros, no zip bomb) or CSV."""
    upload_checks.check_spreadsheet(data, filename, max_bytes=spreadsheets.DEFAULT_MAX_BYTES)
    table = spreadsheets.read_table(data, filename, expected_columns=[c[0] for c in COLUMNS.values()])
    columns = {name: table.column(*candidates) for name, candidates in COLUMNS.items()}
    missing = [COLUMNS[name][0] for name in REQUIRED if columns[name] is None]
    if missing:
        raise DomainError("Colunas obrigatórias ausentes: " + ", ".join(missing) + ".", field="file")
    if len(table.rows) > MAX_ROWS:
        raise DomainError(f"Arquivo com mais de {MAX_ROWS} linhas: divida-o.", field="file")
    if not table.rows:
        raise DomainError("A planilha não tem linhas de dados.", field="file")
    return table, columns


def find_import(session: Session, data: bytes) -> ProposalImport | None:
    return session.scalar(
        select(ProposalImport).where(ProposalImport.sha256 == hashlib.sha256(data).hexdigest())
    )


def is_complete(record: ProposalImport) -> bool:
    """Every row has its line in the report (an import stopped half-way is resumed)."""
    return len(record.report or []) >= record.rows_total


def _run_now(fn: Callable[[], T]) -> T:
    return fn()


def import_proposals(
    session: Session,
    actor: Actor,
    user: User,
    data: bytes,
    filename: str,
    storage_dir: str | os.PathLike[str],
    report: Report | None = None,
    storage_name: str | None = None,
    step: Step = _run_now,
) -> tuple[ProposalImport, bool]:
    """Import a spreadsheet of proposals. Returns (import, created); created is False when
    the same file was imported before (nothing changes). `storage_name` is the file
    already kept by `keep_file` (background jobs), otherwise it is kept here.

    The work runs in `step(fn)` calls of `BATCH_ROWS` rows each: a background job passes
    `ctx.step`, which commits each one in a short transaction, so the import never holds
    the database for long; an import stopped half-way is resumed where it stopped."""
    previous = find_import(session, data)
    if previous is not None and is_complete(previous):
        return previous, False
    table, columns = read_spreadsheet(data, filename)
    total = len(table.rows)
    lines = [table.row_numbers[i] if i < len(table.row_numbers) else i + 2 for i in range(total)]
    kept = previous.storage_name if previous is not None else storage_name or keep_file(data, storage_dir)

    def start() -> int:
        if previous is not None:
            return previous.id
        record = ProposalImport(
            sha256=table.sha256,
            filename=Path(filename or "planilha").name[:120],
            storage_name=kept,
            rows_total=total,
            accepted=0,
            refused=0,
            report=[],
            created_by_id=actor.id,
        )
        session.add(record)
        session.flush()
        return record.id

    record_id = step(start)

    def batch(first: int) -> int:
        record = session.get_one(ProposalImport, record_id)
        entries = list(record.report or [])
        banks = bank_names(session)
        for index in range(len(entries), min(first + BATCH_ROWS, total)):
            entries.append(_import_row(session, actor, user, table.rows[index], columns, lines[index], banks))
        record.report = entries
        record.accepted = sum(1 for e in entries if e["ok"])
        record.refused = len(entries) - record.accepted
        session.flush()
        return len(entries)

    done = len(previous.report or []) if previous is not None else 0
    while done < total:
        done = step(partial(batch, done))
        if report is not None:
            report(done, total, f"{done} de {total} linhas")

    def finish() -> ProposalImport:
        record = session.get_one(ProposalImport, record_id)
        audit.record(
            session,
            actor,
            "proposals.imported",
            f"proposal_import:{record.id}",
            {"accepted": record.accepted, "rows": total},
        )
        return record

    record = step(finish)
    if report is not None:
        report(total, total, "Importação concluída")
    return record, True


def _import_row(
    session: Session,
    actor: Actor,
    user: User,
    row: dict[str, str],
    columns: dict[str, str | None],
    line: int,
    banks: dict[str, str],
) -> dict[str, object]:
    """One row in a SAVEPOINT: imported, or refused with the reason (nothing of it kept)."""
    try:
        with session.begin_nested():
            proposal = register_manual(
                session, actor, user, row_to_manual(row, columns, banks), Origin.IMPORT, EventSource.IMPORT
            )
    except DomainError as error:
        return {"row": line, "ok": False, "message": error.message}
    return {"row": line, "ok": True, "message": "Importada", "proposal_id": proposal.id}


def recent_imports(session: Session, limit: int = 10) -> list[ProposalImport]:
    """The latest spreadsheet imports, newest first (the import page lists them)."""
    return list(session.scalars(select(ProposalImport).order_by(ProposalImport.id.desc()).limit(limit)))
