"""Proposals, clients and commission tables through the import hub (service and CLI):
a small file end to end, the same file again changes nothing, "desfazer" removes exactly
the import's rows, a bad row is reported with its line, the command imports it."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from portal.clients.models import Client
from portal.commissions.models import TableRowRecord, TableVersion
from portal.core.audit import Actor
from portal.core.documents import format_cpf, generate_cpf
from portal.core.errors import DomainError
from portal.core.imports import runs, service
from portal.core.imports.models import DataImport
from portal.proposals.models import Proposal
from tests import factories
from tests.imports.samples import csv_file
from tests.pipeline_helpers import build_org


@pytest.fixture
def org(db):
    return build_org(db)


@pytest.fixture
def storage(tmp_path):
    return tmp_path / "storage"


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _actor(user) -> Actor:
    return Actor(id=user.id, label=user.email)


def _run(db, org, path, kind, storage, bank="", **options):
    return runs.import_path(
        db, _actor(org.operations_user), path, kind=kind, bank_code=bank, source="cli",
        storage_dir=storage, options=options or None,
    )  # fmt: skip


# ----------------------------------------------------------------- proposals

PROPOSAL_HEADER = ["CPF do cliente", "Banco", "Produto", "Convênio", "Prazo", "Valor bruto", "Nº da proposta"]


def _proposal_file(path, cpf: str, rows=None):
    rows = rows or [
        [format_cpf(cpf), "Facta", "novo", "INSS", "84", "1.000,00", "AF-1"],  # line 2
        [cpf, "Banco Imaginário", "novo", "INSS", "84", "500,00", "X-1"],  # line 3: unknown bank
        [cpf, "Facta", "refin", "INSS", "72", "2.500,50", "AF-2"],  # line 4
    ]
    return csv_file(path, PROPOSAL_HEADER, rows)


def test_proposals_import_twice_overlap_and_revert(db, org, tmp_path, storage):
    cpf = generate_cpf(random.Random(7101))
    factories.client(db, org.agent, cpf=cpf)
    before = _count(db, Proposal)
    path = _proposal_file(tmp_path / "propostas.csv", cpf)
    record = _run(db, org, path, "proposals", storage)
    assert (record.status, record.rows_total, record.imported, record.skipped, record.errors) == (
        "done", 3, 2, 0, 1,
    )  # fmt: skip
    assert record.problems == [[3, "error", "Banco desconhecido: “Banco Imaginário”."]]
    created = list(db.scalars(select(Proposal).where(Proposal.bank_proposal_number.in_(("AF-1", "AF-2")))))
    assert sorted((p.bank_proposal_number, p.gross_amount, p.term_months, p.origin) for p in created) == [
        ("AF-1", Decimal("1000.00"), 84, "import"),
        ("AF-2", Decimal("2500.50"), 72, "import"),
    ]
    assert all(p.agent_id == org.agent.id for p in created)

    with pytest.raises(DomainError, match=f"Arquivo já importado em .* nº {record.id}.*nada foi alterado"):
        _run(db, org, path, "proposals", storage)
    assert _count(db, Proposal) == before + 2

    overlap = _proposal_file(
        tmp_path / "outra.csv",
        cpf,
        [
            [cpf, "Facta", "novo", "INSS", "84", "1.000,00", "AF-1"],  # line 2: already imported
            [cpf, "Facta", "novo", "SIAPE", "96", "3.000,00", "AF-3"],  # line 3: new
        ],
    )
    second = _run(db, org, overlap, "proposals", storage)
    assert (second.imported, second.skipped, second.errors) == (1, 1, 0)
    assert second.problems == [[2, "skipped", f"Proposta já importada (importação nº {record.id})."]]

    assert service.revert(db, _actor(org.operations_user), record) == 2
    numbers = set(db.scalars(select(Proposal.bank_proposal_number).where(Proposal.origin == "import")))
    assert numbers == {"AF-3"} and _count(db, Proposal) == before + 1
    assert db.get(DataImport, record.id).status == "reverted"


def test_proposals_preview_shows_rows_errors_and_totals(db, org, tmp_path, storage):
    cpf = generate_cpf(random.Random(7102))
    rows = [
        [cpf, "Facta", "novo", "INSS", "84", "1.000,00", "AF-1"],
        [cpf, "Facta", "consórcio", "INSS", "84", "10,00", "AF-9"],  # line 3: unknown product
        [cpf, "C6", "refin", "INSS", "72", "2.500,50", "C6-1"],
    ]
    path = _proposal_file(tmp_path / "p.csv", cpf, rows)
    record = service.prepare(
        db, _actor(org.operations_user), kind="proposals", bank_code="", path=path,
        filename="p.csv", sha256=runs.file_sha256(path),
    )  # fmt: skip
    assert record.status == "ready"  # the kind's own template needs no saved layout
    preview = service.preview(record, path)
    assert (preview.valid, preview.invalid) == (2, 1)
    assert preview.errors == [(3, "Produto desconhecido: “consórcio”.")]
    assert preview.credits == Decimal("3500.50")  # 1.000,00 + 2.500,50


def test_cli_imports_proposals_for_a_user(app, db, org, tmp_path):
    cpf = generate_cpf(random.Random(7103))
    factories.client(db, org.agent, cpf=cpf)
    path = _proposal_file(tmp_path / "cli.csv", cpf)
    cli = app.test_cli_runner()
    nobody = cli.invoke(args=["import-file", str(path), "--kind", "proposals"])
    assert nobody.exit_code == 1 and "precisa de um usuário" in nobody.output
    result = cli.invoke(
        args=["import-file", str(path), "--kind", "proposals", "--user", org.operations_user.email]
    )
    assert result.exit_code == 0, result.output
    assert "2 linha(s) importada(s), 0 ignorada(s), 1 com erro" in result.output


# ------------------------------------------------------------------- clients

CLIENT_HEADER = ["CPF", "Nome", "Data de nascimento", "Telefone", "Cidade", "UF", "Corretor"]


def test_clients_import_duplicates_bad_rows_twice_and_revert(db, org, tmp_path, storage):
    joana = generate_cpf(random.Random(7201))
    pedro = generate_cpf(random.Random(7202))
    existing = db.scalar(select(Client).where(Client.id == org.client.id))
    rows = [
        [
            format_cpf(joana),
            "Joana Prado",
            "10/05/1960",
            "(11) 98765-4321",
            "São Paulo",
            "SP",
            "Ana Corretora",
        ],
        [existing.cpf, "Maria Outra", "", "", "", "", "Ana Corretora"],  # line 3: CPF registered
        ["123.456.789-00", "Sem Dígito", "", "", "", "", "Ana Corretora"],  # line 4: bad CPF
        [pedro, "Pedro Lima", "", "", "", "", "Fulano Inexistente"],  # line 5: unknown owner
        [joana, "Joana de Novo", "", "", "", "", "Ana Corretora"],  # line 6: repeated in the file
    ]
    path = csv_file(tmp_path / "clientes.csv", CLIENT_HEADER, rows)
    before = _count(db, Client)
    record = _run(db, org, path, "clients", storage)
    assert (record.imported, record.skipped, record.errors) == (1, 2, 2)
    assert sorted(record.problems) == [
        [3, "skipped", f"CPF já cadastrado (cliente nº {existing.id}): o cadastro existente foi mantido."],
        [4, "error", "CPF inválido: “123.456.789-00”."],
        [5, "error", "Corretor “Fulano Inexistente” não encontrado (use o e-mail ou o nome completo)."],
        [6, "skipped", "CPF repetido (igual ao da linha 2)."],
    ]
    joana_row = db.scalar(select(Client).where(Client.name == "Joana Prado"))
    assert (joana_row.cpf, joana_row.birth_date, joana_row.owner_id, joana_row.provenance) == (
        joana, date(1960, 5, 10), org.agent.id, "import",
    )  # fmt: skip
    stored = db.execute(text("SELECT cpf, phone FROM clients WHERE id = :id"), {"id": joana_row.id}).one()
    assert joana not in str(stored[0]) and "98765" not in str(stored[1])  # encrypted at rest
    assert db.get(Client, existing.id).name == existing.name  # the existing client is untouched

    with pytest.raises(DomainError, match="nada foi alterado"):
        _run(db, org, path, "clients", storage)
    assert _count(db, Client) == before + 1

    assert service.revert(db, _actor(org.operations_user), record) == 1
    assert _count(db, Client) == before
    assert db.scalar(select(Client).where(Client.name == "Joana Prado")) is None


def test_clients_revert_refused_once_a_client_has_a_proposal(db, org, tmp_path, storage):
    cpf = generate_cpf(random.Random(7203))
    path = csv_file(tmp_path / "c.csv", CLIENT_HEADER, [[cpf, "Rita Alves", "", "", "", "", "Ana Corretora"]])
    record = _run(db, org, path, "clients", storage)
    rita = db.scalar(select(Client).where(Client.name == "Rita Alves"))
    factories.proposal(db, rita)
    with pytest.raises(DomainError, match="registros posteriores \\(proposals\\)"):
        service.revert(db, _actor(org.operations_user), record)


def test_cli_imports_clients_with_a_default_owner(app, db, org, tmp_path):
    org.agent.email = "ana@teste.athenas"
    db.flush()
    cpf = generate_cpf(random.Random(7204))
    path = csv_file(tmp_path / "c.csv", CLIENT_HEADER, [[cpf, "Caio Dias", "", "", "", "", ""]])
    cli = app.test_cli_runner()
    result = cli.invoke(
        args=[
            "import-file", str(path), "--kind", "clients", "--user", org.operations_user.email,
            "--owner", "ana@teste.athenas",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 linha(s) importada(s), 0 ignorada(s), 0 com erro" in result.output
    assert db.scalar(select(Client.owner_id).where(Client.name == "Caio Dias")) == org.agent.id


# --------------------------------------------------------- commission tables


def _cells(line: str) -> list[str]:
    return line.split(";")


TABLE_HEADER = _cells(
    "banco;produto;convenio;tabela;prazo_de;prazo_ate;taxa_de;taxa_ate;vigencia_de;vigencia_ate;"
    "base;flat;diferido;diferido_meses;bonus;fixo;estorno_dias;estorno_regra"
)
TABLE_GOOD = [
    _cells("facta;refin;INSS;*;1;84;0;3;01/04/2026;;troco;4,00;0;0;0,50;10,00;60;integral"),
    _cells("facta;new;SIAPE;T-12;13;48;1,20;2,10;01/05/2026;31/12/2026;bruto;3,25;0;0;0;0;120;pro_rata"),
]


def test_commission_table_becomes_a_draft_and_reverts(db, org, tmp_path, storage):
    path = csv_file(tmp_path / "tabela.csv", TABLE_HEADER, TABLE_GOOD)
    before = (_count(db, TableVersion), _count(db, TableRowRecord))
    record = _run(db, org, path, "commission-table", storage, bank="facta", note="Abril")
    assert (record.status, record.imported, record.errors) == ("done", 2, 0)
    version = db.scalar(select(TableVersion).order_by(TableVersion.id.desc()))
    assert (version.state, version.bank_code, len(version.rows), version.note) == (
        "draft",
        "facta",
        2,
        "Abril",
    )
    assert (version.valid_from, version.valid_to) == (date(2026, 4, 1), None)  # one row is open-ended
    assert [r.line_no for r in version.rows] == [2, 3]

    with pytest.raises(DomainError, match="nada foi alterado"):
        _run(db, org, path, "commission-table", storage, bank="facta")

    assert service.revert(db, _actor(org.operations_user), record) == 2
    assert (_count(db, TableVersion), _count(db, TableRowRecord)) == before


def test_commission_table_with_a_bad_line_imports_nothing(db, org, tmp_path, storage):
    rows = [
        TABLE_GOOD[0],
        _cells("facta;new;INSS;*;96;1;0;3;01/04/2026;;bruto;6;0;0;0;0;90;integral"),  # line 3
        _cells("c6;new;INSS;*;1;96;0;3;01/04/2026;;bruto;6;0;0;0;0;90;integral"),  # line 4: other bank
    ]
    path = csv_file(tmp_path / "ruim.csv", TABLE_HEADER, rows)
    before = (_count(db, TableVersion), _count(db, TableRowRecord))
    record = _run(db, org, path, "commission-table", storage, bank="facta")
    assert (record.status, record.imported, record.errors) == ("failed", 0, 2)
    assert [p[0] for p in record.problems] == [3, 4]
    assert "faixa de prazo invertida" in record.problems[0][2]
    assert "banco desconhecido “c6”" in record.problems[1][2]
    assert "nada foi importado" in record.message
    assert (_count(db, TableVersion), _count(db, TableRowRecord)) == before


def test_cli_imports_a_commission_table(app, db, org, tmp_path):
    path = csv_file(tmp_path / "tabela.csv", TABLE_HEADER, TABLE_GOOD)
    cli = app.test_cli_runner()
    missing = cli.invoke(args=["import-file", str(path), "--kind", "commission-table"])
    assert missing.exit_code == 1 and "Informe o banco (--bank)" in missing.output
    result = cli.invoke(
        args=[
            "import-file", str(path), "--kind", "commission-table", "--bank", "facta",
            "--valid-from", "2026-04-01", "--valid-to", "2026-12-31",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 linha(s) importada(s), 0 ignorada(s), 0 com erro" in result.output
    version = db.scalar(select(TableVersion).order_by(TableVersion.id.desc()))
    assert (version.valid_from, version.valid_to, version.state) == (
        date(2026, 4, 1),
        date(2026, 12, 31),
        "draft",
    )


def test_a_proposal_repeated_in_a_later_batch_of_the_same_file_is_skipped(
    db, org, tmp_path, storage, monkeypatch
):
    monkeypatch.setattr(service, "BATCH_ROWS", 1)  # every row its own batch
    cpf = generate_cpf(random.Random(7104))
    factories.client(db, org.agent, cpf=cpf)
    row = [cpf, "Facta", "novo", "INSS", "84", "1.000,00", "AF-7"]
    record = _run(db, org, _proposal_file(tmp_path / "dup.csv", cpf, [row, row]), "proposals", storage)
    assert (record.imported, record.skipped) == (1, 1)
    assert record.problems == [[3, "skipped", "Proposta repetida no arquivo."]]
