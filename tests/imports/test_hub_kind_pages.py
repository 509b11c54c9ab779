"""The hub's pages for the new kinds: operations imports clients and proposals (upload →
preview → job → result → desfazer), finance imports a commission table; each side sees
only its own kinds."""

from __future__ import annotations

import io
import random

import pytest
from sqlalchemy import func, select

from portal.clients.models import Client
from portal.commissions.models import TableVersion
from portal.core.documents import format_cpf, generate_cpf
from portal.proposals.models import Proposal
from tests import factories
from tests.conftest import csrf_token_from
from tests.conftest import sign_in as conftest_sign_in
from tests.pipeline_helpers import build_org


@pytest.fixture
def org(db):
    return build_org(db)


def _upload(client, body: bytes, name: str, **fields):
    token = csrf_token_from(client, "/finance/imports/new")
    return client.post(
        "/finance/imports/new",
        data={"csrf_token": token, **fields, "file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(";".join(r) for r in [header, *rows]) + "\n").encode()


def _cells(line: str) -> list[str]:
    return line.split(";")


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_operations_imports_clients_through_the_pages(client, db, org, manual_runner):
    conftest_sign_in(client, db, org.operations_user)
    joana, caio = generate_cpf(random.Random(7301)), generate_cpf(random.Random(7302))
    body = _csv(
        ["CPF", "Nome", "Cidade", "UF"],
        [
            [format_cpf(joana), "Joana Prado", "Campinas", "SP"],  # line 2
            ["111.111.111-11", "Número Ruim", "", ""],  # line 3: invalid CPF
            [caio, "Caio Dias", "Recife", "PE"],  # line 4
        ],
    )
    before = _count(db, Client)
    response = _upload(client, body, "clientes.csv", kind="clients", owner_id=str(org.agent.id))
    assert response.status_code == 303 and not response.headers["Location"].endswith("/mapping")
    detail = response.headers["Location"]
    page = client.get(detail).get_data(as_text=True)
    assert "2 linha(s) válida(s), 1 com erro" in page
    assert "CPF inválido: “111.111.111-11”." in page and "<td>3</td>" in page
    assert "Joana Prado" in page and format_cpf(joana) not in page  # the preview masks the CPF
    run = client.post(detail + "/run", data={"csrf_token": csrf_token_from(client, detail)})
    assert run.status_code == 303 and "/jobs/" in run.headers["Location"]
    manual_runner.run_all()
    job_page = client.get(run.headers["Location"]).get_data(as_text=True)
    assert "2 linha(s) importada(s), 0 ignorada(s), 1 com erro." in job_page
    assert _count(db, Client) == before + 2
    owners = set(db.scalars(select(Client.owner_id).where(Client.name.in_(("Joana Prado", "Caio Dias")))))
    assert owners == {org.agent.id}

    again = _upload(client, body, "de-novo.csv", kind="clients")
    assert again.status_code == 422 and "nada foi alterado" in again.get_data(as_text=True)

    token = csrf_token_from(client, detail)
    assert client.post(detail + "/revert", data={"csrf_token": token, "confirm": "sim"}).status_code == 303
    assert _count(db, Client) == before
    assert "2 linha(s) removida(s)" in client.get(detail).get_data(as_text=True)


def test_operations_imports_proposals_through_the_pages(client, db, org, manual_runner):
    cpf = generate_cpf(random.Random(7303))
    factories.client(db, org.agent, cpf=cpf)
    conftest_sign_in(client, db, org.operations_user)
    body = _csv(
        ["CPF do cliente", "Banco", "Produto", "Convênio", "Prazo", "Valor bruto", "Nº da proposta"],
        [
            [cpf, "Facta", "novo", "INSS", "84", "1.000,00", "AF-10"],
            [cpf, "Facta", "novo", "INSS", "abc", "1,00", "AF-11"],  # line 3: bad term
        ],
    )
    response = _upload(client, body, "propostas.csv", kind="proposals")
    detail = response.headers["Location"]
    page = client.get(detail).get_data(as_text=True)
    assert "1 linha(s) válida(s), 1 com erro · total R$ 1.000,00" in page
    assert "Prazo inválido: “abc” não é um número inteiro." in page
    assert format_cpf(cpf) not in page and cpf not in page  # the preview masks the CPF
    client.post(detail + "/run", data={"csrf_token": csrf_token_from(client, detail)})
    manual_runner.run_all()
    assert db.scalar(select(Proposal.origin).where(Proposal.bank_proposal_number == "AF-10")) == "import"
    result = client.get(detail).get_data(as_text=True)
    assert "Ver a esteira de propostas" in result and "Baixar relatório de problemas" in result


def test_finance_imports_a_table_and_a_bad_one_lists_its_lines(client, db, org, manual_runner):
    conftest_sign_in(client, db, factories.user(db, role="finance"))
    header = (
        "banco;produto;convenio;tabela;prazo_de;prazo_ate;taxa_de;taxa_ate;vigencia_de;vigencia_ate;"
        "base;flat;diferido;diferido_meses;bonus;fixo;estorno_dias;estorno_regra"
    )
    header = _cells(header)
    good = "facta;refin;INSS;*;1;84;0;3;01/04/2026;;troco;4,00;0;0;0,50;10,00;60;integral"
    bad = "facta;new;INSS;*;1;96;0;3;31/02/2026;;bruto;6;0;0;0;0;90;integral"  # line 3
    good, bad = _cells(good), _cells(bad)
    response = _upload(
        client, _csv(header, [good, bad]), "tabela.csv", kind="commission-table", bank_code="facta"
    )
    detail = response.headers["Location"]
    run = client.post(detail + "/run", data={"csrf_token": csrf_token_from(client, detail)})
    manual_runner.run_all()
    assert "Importação recusada: 1 linha(s) com erro: nada foi importado" in client.get(
        run.headers["Location"]
    ).get_data(as_text=True)
    page = client.get(detail).get_data(as_text=True)
    problems = page.split('data-testid="import-problems"')[1].split("</table>")[0]
    assert "<td>3</td>" in problems and "vigencia_de" in problems and "<td>2</td>" not in problems
    assert _count(db, TableVersion) == 0

    fixed = _upload(client, _csv(header, [good]), "tabela-ok.csv", kind="commission-table", bank_code="facta")
    detail = fixed.headers["Location"]
    client.post(detail + "/run", data={"csrf_token": csrf_token_from(client, detail)})
    manual_runner.run_all()
    version = db.scalar(select(TableVersion))
    assert (version.state, len(version.rows)) == ("draft", 1)
    assert f"/finance/tables/{version.id}" in client.get(detail).get_data(as_text=True)


def test_each_side_sees_only_its_kinds(client, db, org):
    finance = factories.user(db, role="finance")
    conftest_sign_in(client, db, org.operations_user)
    kinds = client.get("/finance/imports/new").get_data(as_text=True)
    assert 'value="clients"' in kinds and 'value="proposals"' in kinds and 'value="bank-report"' not in kinds
    cpf = generate_cpf(random.Random(7304))
    response = _upload(client, _csv(["CPF", "Nome"], [[cpf, "Rui Lopes"]]), "c.csv", kind="clients")
    ops_import = response.headers["Location"]
    refused = _upload(client, b"a;b\n1;2\n", "r.csv", kind="bank-report", bank_code="facta")
    assert refused.status_code == 422 and "Escolha o tipo" in refused.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/finance/imports")})
    conftest_sign_in(client, db, finance)
    assert client.get(ops_import).status_code == 403
    assert "c.csv" not in client.get("/finance/imports").get_data(as_text=True)
