"""Manual registration and spreadsheet import: scope, validation, report, idempotency."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core.audit import Actor
from portal.core.documents import format_cpf, generate_cpf
from portal.core.errors import Conflict, DomainError
from portal.proposals.importing import ManualProposal, import_proposals, register_manual
from portal.proposals.mapping import set_mapping
from portal.proposals.models import Proposal
from portal.proposals.queries import events_of
from portal.proposals.statuses import Status
from tests import factories
from tests.pipeline_helpers import xlsx

OPS = Actor(id=None, label="operador@teste")
HEADERS = [
    "CPF do cliente",
    "Banco",
    "Produto",
    "Convênio",
    "Prazo",
    "Valor bruto",
    "Valor líquido",
    "Nº da proposta",
    "Status do banco",
]


@pytest.fixture
def cpfs(db, org):
    mine = generate_cpf(random.Random(11))
    theirs = generate_cpf(random.Random(12))
    factories.client(db, org.agent, cpf=mine, name="Cliente Meu")
    factories.client(db, org.other_agent, cpf=theirs, name="Cliente Alheio")
    return mine, theirs


def _manual(cpf, **fields):
    values = {
        "cpf": cpf,
        "bank_code": "bradesco",
        "product": "new",
        "agreement": "inss",
        "term_months": 84,
        "gross_amount": Decimal("5000.00"),
        "bank_proposal_number": "BR-1",
    }
    values.update(fields)
    return ManualProposal(**values)


def test_manual_registration_for_a_file_only_bank(db, org, cpfs):
    set_mapping(db, "bradesco", "EM ANALISE", Status.UNDER_ANALYSIS)
    proposal = register_manual(
        db, OPS, org.operations_user, _manual(format_cpf(cpfs[0]), bank_status="Em análise")
    )
    assert (proposal.origin, proposal.agreement, proposal.agent_id) == ("manual", "INSS", org.agent.id)
    assert proposal.bank_status == "EM ANÁLISE" and proposal.needs_review  # not the mapped spelling
    with pytest.raises(Conflict, match="já está cadastrada"):
        register_manual(db, OPS, org.operations_user, _manual(cpfs[0]))
    with pytest.raises(DomainError, match="CPF do cliente inválido"):
        register_manual(db, OPS, org.operations_user, _manual("111.111.111-11", bank_proposal_number="X"))


def test_agent_registers_only_for_own_clients(db, org, cpfs):
    with pytest.raises(DomainError, match="não encontrado na sua carteira"):
        register_manual(db, OPS, org.agent_user, _manual(cpfs[1]))
    assert register_manual(db, OPS, org.agent_user, _manual(cpfs[0])).client.name == "Cliente Meu"


def test_spreadsheet_import_reports_every_row_and_is_idempotent(db, org, cpfs, storage):
    set_mapping(db, "facta", "AGUARDANDO ASSINATURA", Status.WAITING_SIGNATURE)
    mine = cpfs[0]
    rows = [
        [
            format_cpf(mine),
            "Facta",
            "Empréstimo novo",
            "INSS",
            84,
            "10.000,00",
            "9.500,00",
            "AF1",
            "Aguardando assinatura",
        ],
        [mine, "Bradesco Promotora", "refin", "SIAPE", "72", "3000", "", "BR9", ""],
        [generate_cpf(random.Random(99)), "Facta", "novo", "INSS", 84, "1000,00", "", "AF2", ""],
        [mine, "Banco Imaginário", "novo", "INSS", 84, "1000,00", "", "X1", ""],
        [mine, "Facta", "novo", "INSS", 84, "mil reais", "", "AF3", ""],
        [mine, "Facta", "novo", "INSS", 999, "1000,00", "", "AF4", ""],
        [mine, "Facta", "novo", "INSS", 84, "1000,00", "", "AF1", ""],
    ]
    data = xlsx(HEADERS, rows)
    record, created = import_proposals(db, OPS, org.operations_user, data, "producao.xlsx", storage)
    assert created and (record.rows_total, record.accepted, record.refused) == (7, 2, 5)
    messages = {entry["row"]: entry["message"] for entry in record.report}
    assert messages[2] == "Importada" and messages[3] == "Importada"
    assert "não encontrado na sua carteira" in messages[4]
    assert "Banco desconhecido" in messages[5]
    assert "Valor bruto inválido" in messages[6]
    assert "Prazo inválido" in messages[7]
    assert "já está cadastrada" in messages[8]
    first = db.get(Proposal, record.report[0]["proposal_id"])
    assert (first.origin, first.status, first.gross_amount) == (
        "import",
        "waiting_signature",
        Decimal("10000.00"),
    )
    assert {e.source for e in events_of(db, first)} == {"import"}
    assert (storage / "imports" / record.storage_name).exists()
    assert mine.encode() not in (storage / "imports" / record.storage_name).read_bytes()
    count = db.scalar(select(func.count()).select_from(Proposal))
    again, created_again = import_proposals(db, OPS, org.operations_user, data, "copia.xlsx", storage)
    assert (again.id, created_again) == (record.id, False)
    assert db.scalar(select(func.count()).select_from(Proposal)) == count


def test_import_without_required_columns_is_refused(db, org, storage):
    data = xlsx(["CPF do cliente", "Banco", "Prazo"], [["1", "Facta", "84"]])
    with pytest.raises(DomainError, match="Colunas obrigatórias ausentes: Produto, Convênio, Valor bruto"):
        import_proposals(db, OPS, org.operations_user, data, "x.xlsx", storage)
