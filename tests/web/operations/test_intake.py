"""Manual registration, and the proposals spreadsheet through the import hub (the one
import engine): the old address /operations/proposals/import forwards to it, a file sent
there is received like the hub's upload (preview, job, result, "desfazer"), the job
commits as it goes, and the same file twice changes nothing."""

from __future__ import annotations

import io
import random
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.core.documents import format_cpf, generate_cpf
from portal.core.errors import DomainError
from portal.core.imports import records as import_records
from portal.core.imports import service
from portal.core.imports.models import DataImport
from portal.core.jobs import Job
from portal.proposals import import_kind
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import ProposalImport
from tests import factories
from tests.conftest import csrf_token_from
from tests.page_text import text_by_testid
from tests.pipeline_helpers import xlsx

OLD = "/operations/proposals/import"
HEADERS = ["CPF do cliente", "Banco", "Produto", "Convênio", "Prazo", "Valor bruto", "Nº da proposta"]


def test_manual_registration(client, db, org, sign_in):
    cpf = generate_cpf(random.Random(501))
    factories.client(db, org.agent, cpf=cpf, name="Cliente Bradesco")
    sign_in(org.operations_user)
    data = {
        "cpf": format_cpf(cpf),
        "bank_code": "bradesco",
        "product": "new",
        "agreement": "inss",
        "term_months": "84",
        "gross_amount": "12.345,67",
        "net_amount": "11.000,00",
        "bank_proposal_number": "BRD-77",
        "csrf_token": csrf_token_from(client, "/operations/proposals/new"),
    }
    response = client.post("/operations/proposals/new", data=data)
    assert response.status_code == 303
    proposal = db.scalar(select(Proposal).where(Proposal.bank_proposal_number == "BRD-77"))
    assert (proposal.origin, str(proposal.gross_amount), proposal.agent_id) == (
        "manual",
        "12345.67",
        org.agent.id,
    )
    again = client.post("/operations/proposals/new", data={**data, "gross_amount": "1,00"})
    assert again.status_code == 422 and "já está cadastrada" in again.get_data(as_text=True)
    bad = client.post(
        "/operations/proposals/new", data={**data, "bank_proposal_number": "X", "gross_amount": "abc"}
    )
    assert bad.status_code == 422 and "Valor inválido" in bad.get_data(as_text=True)


def _send(client, data, name="producao.xlsx", path=OLD, **fields):
    token = csrf_token_from(client, "/finance/imports/new")
    return client.post(
        path,
        data={"csrf_token": token, **fields, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _run(client, detail: str):
    return client.post(detail + "/run", data={"csrf_token": csrf_token_from(client, detail)})


def _count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def _kept_files(app) -> set[str]:
    folder = Path(app.config["STORAGE_DIR"]) / "data-imports"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_the_old_address_opens_the_hub_with_proposals_chosen(client, db, org, sign_in):
    sign_in(org.operations_user)
    response = client.get(OLD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/finance/imports/new?kind=proposals")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<option value="proposals" selected>' in page
    board = client.get("/operations/board").get_data(as_text=True)
    link = board.split('data-testid="pipeline-import-link"')[0].rsplit("<a", 1)[1]
    assert 'href="/finance/imports/new?kind=proposals"' in link


def test_a_file_sent_to_the_old_address_goes_through_the_hub_and_twice_changes_nothing(
    app, client, db, org, sign_in, runner
):
    cpf = generate_cpf(random.Random(502))
    factories.client(db, org.agent, cpf=cpf)
    sign_in(org.operations_user)
    data = xlsx(
        HEADERS,
        [[cpf, "Facta", "novo", "INSS", 84, "1.000,00", "AF-9"], [cpf, "???", "novo", "INSS", 84, "1", "X"]],
    )
    before = _count(db, Proposal)
    response = _send(client, data)  # no kind: the old address means proposals
    assert response.status_code == 303
    detail = response.headers["Location"]
    record = db.scalar(select(DataImport))
    assert detail.endswith(f"/finance/imports/{record.id}") and record.kind == "proposals"
    assert runner.dispatched == [] and _count(db, Proposal) == before  # a preview first
    kept = Path(app.config["STORAGE_DIR"]) / "data-imports" / record.storage_name
    assert kept.exists() and cpf.encode() not in kept.read_bytes()  # kept encrypted
    page = client.get(detail).get_data(as_text=True)
    assert text_by_testid(page, "preview-totals") == "2 linha(s) válida(s), 0 com erro · total R$ 1.001,00"

    run = _run(client, detail)
    assert run.status_code == 303 and "/jobs/" in run.headers["Location"]
    runner.run_all()
    job_page = client.get(run.headers["Location"]).get_data(as_text=True)
    assert "1 linha(s) importada(s), 0 ignorada(s), 1 com erro." in job_page
    assert db.scalar(select(Proposal.origin).where(Proposal.bank_proposal_number == "AF-9")) == "import"
    assert _count(db, Proposal) == before + 1
    problems = client.get(f"{detail}/problemas.xlsx")
    sheet = load_workbook(io.BytesIO(problems.data)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Linha", "Situação", "Motivo"],
        [3, "Erro", "Banco desconhecido: “???”."],
    ]

    again = _send(client, data, "mesmo-arquivo.xlsx")
    assert again.status_code == 422
    assert f"(importação nº {record.id}): nada foi alterado" in again.get_data(as_text=True)
    assert runner.dispatched == [] and _count(db, Proposal) == before + 1
    assert _count(db, DataImport) == 1


def test_an_unknown_header_now_goes_to_the_column_mapping(client, db, org, sign_in, runner):
    """The old page refused it (422); the hub asks which column is which, once per layout."""
    cpf = generate_cpf(random.Random(503))
    factories.client(db, org.agent, cpf=cpf)
    sign_in(org.operations_user)
    header = ["Documento", "Instituição", "Tipo", "Órgão", "Meses", "Bruto", "Contrato"]
    response = _send(client, xlsx(header, [[cpf, "Facta", "novo", "INSS", 84, "2.000,00", "MAP-1"]]))
    assert response.status_code == 303 and response.headers["Location"].endswith("/mapping")
    mapping = response.headers["Location"]
    keys = ("cpf", "bank", "product", "agreement", "term", "gross", "number")
    chosen = dict(zip(keys, header, strict=True))
    saved = client.post(
        mapping,
        data={
            "csrf_token": csrf_token_from(client, mapping),
            "layout_name": "Planilha da loja",
            **{f"map-{key}": column for key, column in chosen.items()},
        },
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert text_by_testid(page, "preview-totals") == "1 linha(s) válida(s), 0 com erro · total R$ 2.000,00"
    assert runner.dispatched == [] and _count(db, Proposal, Proposal.bank_proposal_number == "MAP-1") == 0


def test_an_xls_saved_as_html_is_now_accepted(client, db, org, sign_in):
    cpf = generate_cpf(random.Random(504))
    factories.client(db, org.agent, cpf=cpf)
    sign_in(org.operations_user)
    cells = "".join(f"<th>{h}</th>" for h in HEADERS)
    row = "".join(f"<td>{v}</td>" for v in [cpf, "Facta", "novo", "INSS", "84", "3.000,00", "HT-1"])
    page = f"<html><body><table><tr>{cells}</tr><tr>{row}</tr></table></body></html>".encode()
    response = _send(client, page, "propostas.xls")
    assert response.status_code == 303 and not response.headers["Location"].endswith("/mapping")
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text_by_testid(detail, "preview-totals") == "1 linha(s) válida(s), 0 com erro · total R$ 3.000,00"


def _three_rows(db, org, seed: int) -> bytes:
    rows = []
    for n in range(3):
        cpf = generate_cpf(random.Random(seed + n))
        factories.client(db, org.agent, cpf=cpf)
        rows.append([cpf, "Facta", "novo", "INSS", 84, "1.000,00", f"OR-{seed}-{n}"])
    return xlsx(HEADERS, rows)


def test_the_job_commits_as_it_goes_and_a_crash_keeps_what_it_committed(
    app, client, db, org, sign_in, runner, monkeypatch
):
    sign_in(org.operations_user)
    before_files = _kept_files(app)
    data = _three_rows(db, org, 9200)
    numbers = [f"OR-9200-{n}" for n in range(3)]
    calls = {"n": 0}
    original = import_kind.register_manual

    def fail_on_the_third_row(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("falha simulada na terceira linha")
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "BATCH_ROWS", 1)  # one row per committed step
    monkeypatch.setattr(import_kind, "register_manual", fail_on_the_third_row)
    detail = _send(client, data).headers["Location"]
    _run(client, detail)
    runner.run_all()
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == "failed"
    record = db.scalar(select(DataImport))
    db.refresh(record)
    assert (record.status, record.imported) == ("failed", 2)
    assert record.message.startswith("Importação interrompida por uma falha: 2 linha(s) já importada(s)")
    # The first two rows were committed before the crash; the third never came in.
    assert set(db.scalars(select(Proposal.bank_proposal_number).where(Proposal.origin == "import"))) == set(
        numbers[:2]
    )
    assert _kept_files(app) - before_files == {record.storage_name}  # referenced, not an orphan

    # Sending the same file again finishes the work: the rows already in are skipped.
    monkeypatch.setattr(import_kind, "register_manual", original)
    again = _send(client, data, "de-novo.xlsx")
    assert again.status_code == 303
    run = _run(client, again.headers["Location"])
    runner.run_all()
    job_page = client.get(run.headers["Location"]).get_data(as_text=True)
    assert "1 linha(s) importada(s), 2 ignorada(s), 0 com erro." in job_page
    imported = set(db.scalars(select(Proposal.bank_proposal_number).where(Proposal.origin == "import")))
    assert imported == set(numbers)

    # The interrupted import can be undone: its two proposals go, the third stays.
    token = csrf_token_from(client, detail)
    assert client.post(detail + "/revert", data={"csrf_token": token, "confirm": "sim"}).status_code == 303
    imported = set(db.scalars(select(Proposal.bank_proposal_number).where(Proposal.origin == "import")))
    assert imported == {numbers[2]}


def test_a_report_from_before_the_hub_still_opens(client, db, org, sign_in):
    """Old jobs link to /operations/proposals/imports/<id>: the legacy table stays readable."""
    proposal = factories.proposal(db, org.client)
    legacy = ProposalImport(
        sha256="c" * 64, filename="antiga.xlsx", storage_name="abc123", rows_total=2, accepted=1, refused=1,
        report=[
            {"row": 2, "ok": True, "message": "Importada", "proposal_id": proposal.id},
            {"row": 3, "ok": False, "message": "Banco desconhecido: “BMG”."},
        ],
    )  # fmt: skip
    db.add(legacy)
    db.flush()
    sign_in(org.operations_user)
    page = client.get(f"/operations/proposals/imports/{legacy.id}").get_data(as_text=True)
    assert text_by_testid(page, "import-summary").startswith(
        "2 linha(s): 1 importada(s), 1 recusada(s). Arquivo recebido em"
    )
    report = text_by_testid(page, "import-report")
    assert f"2Importada Proposta nº {proposal.id}" in report  # cells side by side
    assert "3Recusada Banco desconhecido: “BMG”." in report


def test_a_file_refused_half_way_says_how_many_rows_stayed(client, db, org, sign_in, runner, monkeypatch):
    sign_in(org.operations_user)
    data = _three_rows(db, org, 9300)
    calls = {"n": 0}
    original = import_records.link

    def refuse_the_third_row(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise DomainError("Falha simulada na leitura.")
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "BATCH_ROWS", 1)
    monkeypatch.setattr(import_records, "link", refuse_the_third_row)
    detail = _send(client, data).headers["Location"]
    run = _run(client, detail)
    runner.run_all()
    assert "Importação recusada: Falha simulada na leitura." in client.get(run.headers["Location"]).get_data(
        as_text=True
    )
    record = db.scalar(select(DataImport))
    db.refresh(record)
    assert (record.status, record.imported) == ("failed", 2)
    assert record.message == (
        "2 linha(s) já importada(s) ficaram; Falha simulada na leitura. Envie o arquivo corrigido "
        "(as já importadas são ignoradas) ou desfaça esta importação."
    )
    page = client.get(detail).get_data(as_text=True)
    assert text_by_testid(page, "import-message") == record.message and "Desfazer" in page
