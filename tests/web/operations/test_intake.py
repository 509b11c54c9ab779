"""Manual registration and spreadsheet import through the pages (import runs as a job)."""

from __future__ import annotations

import io
import random
from pathlib import Path

from sqlalchemy import func, select

from portal.core.documents import format_cpf, generate_cpf
from portal.core.jobs import Job
from portal.proposals import import_job, importing
from portal.proposals.models import Proposal
from portal.proposals.pipeline_models import ProposalImport
from tests import factories
from tests.conftest import csrf_token_from
from tests.pipeline_helpers import xlsx


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


def _send(client, data, name="producao.xlsx"):
    token = csrf_token_from(client, "/operations/proposals/import")
    return client.post(
        "/operations/proposals/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_runs_as_a_job_with_a_report_and_twice_changes_nothing(client, db, org, sign_in, runner):
    cpf = generate_cpf(random.Random(502))
    factories.client(db, org.agent, cpf=cpf)
    sign_in(org.operations_user)
    headers = ["CPF do cliente", "Banco", "Produto", "Convênio", "Prazo", "Valor bruto", "Nº da proposta"]
    data = xlsx(
        headers,
        [[cpf, "Facta", "novo", "INSS", 84, "1.000,00", "AF-9"], [cpf, "???", "novo", "INSS", 84, "1", "X"]],
    )
    response = _send(client, data)
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    assert db.scalar(select(func.count()).select_from(Job)) >= 1
    runner.run_all()
    record = db.scalar(select(ProposalImport))
    assert (record.accepted, record.refused) == (1, 1)
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 proposta(s) importada(s), 1 linha(s) recusada(s)." in job_page
    report = client.get(f"/operations/proposals/imports/{record.id}").get_data(as_text=True)
    assert "Banco desconhecido" in report
    count = db.scalar(select(func.count()).select_from(Proposal))
    again = _send(client, data, "mesmo-arquivo.xlsx")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/imports/{record.id}")
    assert runner.dispatched == [] and db.scalar(select(func.count()).select_from(Proposal)) == count


def test_unreadable_spreadsheet_is_refused_at_upload(client, db, org, sign_in, runner):
    sign_in(org.operations_user)
    response = _send(client, xlsx(["Nome", "Idade"], [["a", 1]]))
    assert response.status_code == 422
    assert "Cabeçalho não encontrado" in response.get_data(
        as_text=True
    ) or "Colunas obrigatórias" in response.get_data(as_text=True)
    assert runner.dispatched == []


def _kept_files(app) -> set[str]:
    folder = Path(app.config["STORAGE_DIR"]) / "imports"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _three_rows(db, org, seed: int) -> bytes:
    headers = ["CPF do cliente", "Banco", "Produto", "Convênio", "Prazo", "Valor bruto", "Nº da proposta"]
    rows = []
    for n in range(3):
        cpf = generate_cpf(random.Random(seed + n))
        factories.client(db, org.agent, cpf=cpf)
        rows.append([cpf, "Facta", "novo", "INSS", 84, "1.000,00", f"OR-{seed}-{n}"])
    return xlsx(headers, rows)


def test_an_import_whose_job_fails_leaves_no_file_behind(app, client, db, org, sign_in, runner, monkeypatch):
    sign_in(org.operations_user)
    before = _kept_files(app)
    data = _three_rows(db, org, 9100)

    def crash(*_args, **_kwargs):
        raise RuntimeError("falha simulada")

    monkeypatch.setattr(import_job, "import_proposals", crash)
    response = _send(client, data)
    assert response.status_code == 303
    assert len(_kept_files(app) - before) == 1  # kept for the job, encrypted
    runner.run_all()
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == "failed"
    assert _kept_files(app) == before
    assert db.scalar(select(func.count()).select_from(ProposalImport)) == 0


def test_an_import_stopped_half_way_keeps_only_its_recorded_file_and_resumes(
    app, client, db, org, sign_in, runner, monkeypatch
):
    sign_in(org.operations_user)
    before = _kept_files(app)
    data = _three_rows(db, org, 9200)
    calls = {"n": 0}
    original = importing.register_manual

    def fail_on_the_third_row(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("falha simulada na terceira linha")
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "BATCH_ROWS", 1)
    monkeypatch.setattr(importing, "register_manual", fail_on_the_third_row)
    assert _send(client, data).status_code == 303
    runner.run_all()
    record = db.scalar(select(ProposalImport))
    assert (record.accepted, len(record.report), record.rows_total) == (2, 2, 3)
    assert _kept_files(app) - before == {record.storage_name}  # referenced, not an orphan
    # Sending the same file again finishes the import instead of "already imported".
    monkeypatch.setattr(importing, "register_manual", original)
    assert _send(client, data).status_code == 303
    runner.run_all()
    db.refresh(record)
    assert (record.accepted, record.refused, len(record.report)) == (3, 0, 3)
    assert _kept_files(app) - before == {record.storage_name}
    assert db.scalar(select(func.count()).select_from(Proposal).where(Proposal.origin == "import")) >= 3
