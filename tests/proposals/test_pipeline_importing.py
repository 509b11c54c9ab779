"""Manual registration, and the proposals spreadsheet through the import hub (the one
import engine): scope, validation, rows mapped to statuses, report by line, idempotency."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core.audit import Actor
from portal.core.documents import format_cpf, generate_cpf
from portal.core.errors import Conflict, DomainError
from portal.core.imports.models import DataImport
from portal.proposals.manual import ManualProposal, register_manual
from portal.proposals.mapping import set_mapping
from portal.proposals.models import Proposal
from portal.proposals.queries import events_of
from portal.proposals.statuses import Status
from tests import factories
from tests.pipeline_helpers import hub_import, xlsx

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


def test_spreadsheet_import_reports_every_row_and_is_idempotent(db, org, cpfs, tmp_path):
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
    before = db.scalar(select(func.count()).select_from(Proposal))
    record = hub_import(db, org.operations_user, data, "producao.xlsx", tmp_path)
    assert (record.status, record.rows_total, record.imported, record.skipped, record.errors) == (
        "done", 7, 2, 1, 4,
    )  # fmt: skip
    problems = {line: (what, reason) for line, what, reason in record.problems}
    assert set(problems) == {4, 5, 6, 7, 8}  # lines 2 and 3 imported
    assert problems[4] == ("error", "Cliente não encontrado na sua carteira: cadastre-o antes.")
    assert problems[5] == ("error", "Banco desconhecido: “Banco Imaginário”.")
    assert problems[6] == ("error", "Valor bruto inválido: “mil reais” não é um valor em reais.")
    assert problems[7] == ("error", "Prazo inválido.")
    assert problems[8] == ("skipped", "Proposta repetida (igual à da linha 2).")
    first = db.scalar(select(Proposal).where(Proposal.bank_proposal_number == "AF1"))
    assert (first.origin, first.status, first.gross_amount, first.net_amount) == (
        "import",
        "waiting_signature",
        Decimal("10000.00"),
        Decimal("9500.00"),
    )
    assert not first.needs_review
    assert {e.source for e in events_of(db, first)} == {"import"}
    second = db.scalar(select(Proposal).where(Proposal.bank_proposal_number == "BR9"))
    assert (second.bank_code, second.product, second.agreement, second.term_months) == (
        "bradesco", "refin", "SIAPE", 72,
    )  # fmt: skip
    assert db.scalar(select(func.count()).select_from(Proposal)) == before + 2

    # The same file again (another name) changes nothing and says when it came in.
    with pytest.raises(
        DomainError, match=f"Arquivo já importado em .*importação nº {record.id}.*nada foi alterado"
    ):
        hub_import(db, org.operations_user, data, "copia.xlsx", tmp_path)
    assert db.scalar(select(func.count()).select_from(Proposal)) == before + 2
    assert db.scalar(select(func.count()).select_from(DataImport)) == 1


def test_an_unknown_bank_status_leaves_the_proposal_for_review(db, org, cpfs, tmp_path):
    set_mapping(db, "facta", "PAGO", Status.PAID)
    mine = cpfs[0]
    rows = [
        [mine, "Facta", "novo", "INSS", 84, "1000,00", "", "ST-1", "Pago"],
        [mine, "Facta", "novo", "INSS", 84, "2000,00", "", "ST-2", "Em conferência no banco"],
    ]
    record = hub_import(db, org.operations_user, xlsx(HEADERS, rows), "status.xlsx", tmp_path)
    assert (record.imported, record.errors) == (2, 0)
    paid = db.scalar(select(Proposal).where(Proposal.bank_proposal_number == "ST-1"))
    unknown = db.scalar(select(Proposal).where(Proposal.bank_proposal_number == "ST-2"))
    assert (paid.status, paid.needs_review) == ("paid", False)
    assert (unknown.status, unknown.needs_review) == ("submitted", True)
    assert unknown.bank_status == "EM CONFERÊNCIA NO BANCO"


def test_an_agent_imports_only_for_own_clients(db, org, cpfs, tmp_path):
    mine, theirs = cpfs
    rows = [
        [mine, "Facta", "novo", "INSS", 84, "1000,00", "", "AG-1", ""],
        [theirs, "Facta", "novo", "INSS", 84, "1000,00", "", "AG-2", ""],
    ]
    record = hub_import(db, org.agent_user, xlsx(HEADERS, rows), "agente.xlsx", tmp_path)
    assert (record.imported, record.errors) == (1, 1)
    assert record.problems == [[3, "error", "Cliente não encontrado na sua carteira: cadastre-o antes."]]
    assert db.scalar(select(Proposal.client_id).where(Proposal.bank_proposal_number == "AG-1")) is not None
    assert db.scalar(select(Proposal.id).where(Proposal.bank_proposal_number == "AG-2")) is None


def test_a_file_without_the_required_columns_waits_for_its_mapping(db, org, tmp_path):
    data = xlsx(["CPF do cliente", "Banco", "Prazo"], [["1", "Facta", "84"]])
    before = db.scalar(select(func.count()).select_from(Proposal))
    record = hub_import(db, org.operations_user, data, "x.xlsx", tmp_path)
    assert (record.status, record.imported) == ("mapping", 0)  # nothing imported until mapped
    assert record.storage_name  # kept (encrypted) so a person can map it
    assert db.scalar(select(func.count()).select_from(Proposal)) == before
