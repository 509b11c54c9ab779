"""The "proposals" import kind: the operations spreadsheet of proposals made outside the
portal, through the import hub (column mapping, layouts, preview, job, "desfazer").

Each row goes through the same rules as the form (`manual.register_manual`): the client
is found by CPF within the importing user's scope, the bank by code, name or alias, and
the bank status through the mapping table. A row's natural key is the bank and its
proposal number (or, without a number, the whole row): a row another import already
brought in is skipped, so the same file twice changes nothing. "Desfazer" deletes the
proposals the import created, unless something happened to them since (a pendency, a
document, a commission), which is then named instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.banks.queries import bank_names
from portal.core.crypto import get_keyring
from portal.core.documents import mask_cpf
from portal.core.errors import Conflict, DomainError
from portal.core.imports import records, values
from portal.core.imports.kinds import Field, Kind, Record, register_kind
from portal.people.import_user import import_user
from portal.proposals.manual import COLUMNS, ManualProposal, bank_code_of, product_of, register_manual
from portal.proposals.models import EventSource, Origin, Proposal, ProposalEvent

NAME = "proposals"
_REQUIRED = ("cpf", "bank", "product", "agreement", "term", "gross")
_LABELS = {
    "cpf": "CPF do cliente",
    "bank": "Banco",
    "product": "Produto",
    "agreement": "Convênio",
    "term": "Prazo (meses)",
    "gross": "Valor bruto",
    "net": "Valor líquido",
    "number": "Nº da proposta",
    "bank_status": "Status do banco",
}
FIELDS = tuple(
    Field(key, _LABELS[key], tuple(names), required=key in _REQUIRED) for key, names in COLUMNS.items()
)


def convert(cells: dict[str, Any], _bank: str) -> Record:
    """Cells → the values the form would take; the bank is resolved when stored."""
    cpf = values.cpf(cells.get("cpf"), "CPF do cliente")
    product = product_of(values.text(cells.get("product")))
    if product is None:
        raise values.RowError(f"Produto desconhecido: “{values.text(cells.get('product'))[:30]}”.")
    agreement = values.text(cells.get("agreement"))
    if not agreement:
        raise values.RowError("Convênio em branco.")
    term = values.optional_int(cells.get("term"), "Prazo")
    if term is None:
        raise values.RowError("Prazo em branco.")
    return {
        "cpf": cpf,
        "cpf_shown": mask_cpf(cpf),  # the preview never shows the whole CPF
        "bank": values.text(cells.get("bank")),
        "product": product,
        "agreement": agreement,
        "term_months": term,
        "gross_amount": values.money(cells.get("gross"), "Valor bruto"),
        "net_amount": values.optional_money(cells.get("net"), "Valor líquido"),
        "number": values.text(cells.get("number"))[:60],
        "bank_status": values.text(cells.get("bank_status")),
    }


def natural_key(bank: str, row: Record) -> str:
    if row["number"]:
        return records.key_of(NAME, bank, row["number"])
    cpf = get_keyring().blind_index(row["cpf"], "cpf")  # keyed: the key never reveals the CPF
    return records.key_of(
        NAME, bank, cpf, row["product"], row["agreement"].upper(), row["term_months"], row["gross_amount"]
    )


def persist(
    session: Session, import_id: int, _bank: str, batch: Sequence[tuple[int, Record]]
) -> list[tuple[Any, ...]]:
    """Each row in a SAVEPOINT: created (and linked to the import), skipped or refused."""
    actor, user = import_user(session, import_id)
    record = records.import_record(session, import_id)
    banks = bank_names(session)
    refused: list[tuple[Any, ...]] = []
    resolved: list[tuple[int, Record, str, str]] = []
    for line, row in batch:
        bank = bank_code_of(row["bank"], banks)
        if bank is None:
            refused.append((line, f"Banco desconhecido: “{row['bank'][:30]}”.", "error"))
            continue
        resolved.append((line, row, bank, natural_key(bank, row)))
    owners = records.owners(session, NAME, [key for *_, key in resolved])
    seen: dict[str, int] = {}
    for line, row, bank, key in resolved:
        if key in seen:
            refused.append((line, f"Proposta repetida (igual à da linha {seen[key]})."))
            continue
        seen[key] = line
        if owners.get(key) == import_id:  # an earlier batch of this same file
            refused.append((line, "Proposta repetida no arquivo."))
            continue
        if key in owners:
            refused.append((line, f"Proposta já importada (importação nº {owners[key]})."))
            continue
        data = ManualProposal(
            cpf=row["cpf"],
            bank_code=bank,
            product=row["product"],
            agreement=row["agreement"],
            term_months=row["term_months"],
            gross_amount=row["gross_amount"],
            net_amount=row["net_amount"],
            bank_proposal_number=row["number"],
            bank_status=row["bank_status"],
        )
        try:
            with session.begin_nested():
                proposal = register_manual(session, actor, user, data, Origin.IMPORT, EventSource.IMPORT)
        except Conflict as conflict:
            refused.append((line, conflict.message))
            continue
        except DomainError as error:
            refused.append((line, error.message, "error"))
            continue
        records.link(session, record, key, proposal.id, line)
    session.flush()
    return refused


def revert(session: Session, import_id: int) -> int:
    """Delete the import's proposals (and their events), unless one has moved on since."""
    ids = records.revertible_ids(session, import_id, "proposals", ("proposal_events",), "propostas")
    session.execute(delete(ProposalEvent).where(ProposalEvent.proposal_id.in_(ids)))
    proposals = list(session.scalars(select(Proposal).where(Proposal.id.in_(ids))))
    for proposal in proposals:
        session.delete(proposal)  # through the ORM: the board rollup follows the deletes
    records.forget(session, import_id)
    session.flush()
    return len(proposals)


KIND = register_kind(
    Kind(
        name=NAME,
        label="Planilha de propostas",
        fields=FIELDS,
        convert=convert,
        persist=persist,
        revert=revert,
        preview_columns=(
            ("cpf_shown", "CPF"),
            ("bank", "Banco"),
            ("product", "Produto"),
            ("agreement", "Convênio"),
            ("term_months", "Prazo"),
            ("gross_amount", "Valor bruto"),
            ("number", "Nº da proposta"),
        ),
        amount_key="gross_amount",
        needs_bank=False,
        standard_layout=True,
        audience="operations",
        batch_rows=200,
    )
)
