"""Statement pages: finance approves (one, or the whole period as a job ending in a ZIP),
agents and supervisors download from /sales/statements within their scope, anyone else
gets a 404; the stored PDF is served with no-store; verification page and command; the
full payout batch needs a reason and is audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from portal.commissions import periods
from portal.commissions.statements import service
from portal.commissions.statements.models import Statement
from portal.core.audit import AuditEntry
from portal.core.jobs.models import Job
from portal.web.statement_job import CHUNK_KIND
from portal.web.statement_job import KIND as APPROVE_KIND
from tests import factories
from tests.commissions.helpers import FINANCE


@pytest.fixture
def drafts(db, fin, paid):
    periods.close_period(db, FINANCE, "2026-03")
    service.generate_drafts(db, FINANCE, "2026-03")
    return {s.payee: s for s in db.scalars(select(Statement))}


def _approve_all(client, post, manual_runner, db):
    response = post("/finance/statements/approve-period", {"period": "2026-03"}, page="/finance/statements")
    assert response.status_code == 303
    manual_runner.run_all()
    job = db.scalar(select(Job).where(Job.kind == APPROVE_KIND).order_by(Job.id.desc()))
    assert job.status == "done", job.error
    return job


def test_finance_approves_the_period_as_a_job_and_gets_one_zip(
    client, db, drafts, finance_user, post, manual_runner
):
    job = _approve_all(client, post, manual_runner, db)
    db.expire_all()
    assert {s.state for s in db.scalars(select(Statement))} == {"approved"}
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{job.id}/file").data))
    names = sorted(archive.namelist())
    assert len(names) == 2 and all(n.startswith("extrato-2026-03-") for n in names)
    ana = drafts["ana@teste.athenas"]
    response = client.get(f"/finance/statements/{ana.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    assert archive.read(f"extrato-2026-03-{ana.id}.pdf") == response.data  # rendered once, served as stored
    listing = client.get("/finance/statements?period=2026-03&state=approved").get_data(as_text=True)
    assert f'data-testid="statement-{ana.id}"' in listing
    verify_page = client.get(f"/finance/statements/verify?hash={ana.content_hash}").get_data(as_text=True)
    assert f"Extrato nº {ana.id}" in verify_page and "Confere com o razão" in verify_page


def test_the_period_job_shares_the_statements_out_as_chunk_jobs_and_approves_each_once(
    client, db, drafts, finance_user, post, manual_runner
):
    job = _approve_all(client, post, manual_runner, db)
    chunks = list(db.scalars(select(Job).where(Job.kind == CHUNK_KIND).order_by(Job.id)))
    assert [(c.status, c.params["parent_id"]) for c in chunks] == [("done", job.id), ("done", job.id)]
    approvals = select(AuditEntry.target).where(AuditEntry.action == "commission_statement.approved")
    approved = db.scalars(approvals)
    assert sorted(approved) == sorted(f"commission_statement:{s.id}" for s in drafts.values())
    assert job.result["message"].startswith("2 extrato(s) do período 2026-03 aprovado(s)")


def test_agent_sees_own_statements_only_and_others_get_404(app, client, db, drafts, fin, sign_in, tmp_path):
    from portal.web.statement_pdf import render_statement_pdf

    for s in drafts.values():
        service.approve(db, FINANCE, s, render_statement_pdf, app.config["STORAGE_DIR"])
    ana, sup = drafts["ana@teste.athenas"], drafts["sup@teste.athenas"]
    sign_in(fin.agent.user)
    listing = client.get("/sales/statements").get_data(as_text=True)
    assert (
        f'data-testid="statement-{ana.id}"' in listing and f'data-testid="statement-{sup.id}"' not in listing
    )
    own = client.get(f"/sales/statements/{ana.id}.pdf")
    assert own.status_code == 200 and own.headers["Cache-Control"] == "no-store"
    assert client.get(f"/sales/statements/{sup.id}.pdf").status_code == 404
    assert client.get(f"/sales/statements/{sup.id}").status_code == 404
    assert client.get(f"/finance/statements/{ana.id}.pdf").status_code == 404


def test_supervisor_sees_the_team(app, client, db, drafts, fin, sign_in):
    from portal.web.statement_pdf import render_statement_pdf

    for s in drafts.values():
        service.approve(db, FINANCE, s, render_statement_pdf, app.config["STORAGE_DIR"])
    boss = factories.user(db, role="supervisor")
    fin.supervisor.user_id = boss.id
    db.flush()
    sign_in(boss)
    for s in drafts.values():
        assert client.get(f"/sales/statements/{s.id}.pdf").status_code == 200


def test_operations_and_drafts_are_404(client, db, drafts, sign_in):
    sign_in(factories.user(db, role="operations"))
    ana = drafts["ana@teste.athenas"]
    for path in (
        f"/sales/statements/{ana.id}.pdf",
        f"/finance/statements/{ana.id}.pdf",
        f"/finance/statements/{ana.id}",
    ):
        assert client.get(path).status_code == 404


def test_agent_disputes_a_line_and_finance_sees_it(app, client, db, drafts, fin, sign_in, post):
    from portal.web.statement_pdf import render_statement_pdf

    ana = drafts["ana@teste.athenas"]
    service.approve(db, FINANCE, ana, render_statement_pdf, app.config["STORAGE_DIR"])
    sign_in(fin.agent.user)
    page = f"/sales/statements/{ana.id}"
    bad = post(f"{page}/disputes", {"line_id": ana.lines[0].id, "comment": "x"}, page=page)
    assert bad.status_code == 422
    ok = post(
        f"{page}/disputes", {"line_id": ana.lines[0].id, "comment": "A taxa deveria ser 45 %"}, page=page
    )
    assert ok.status_code == 303
    assert "A taxa deveria ser 45 %" in client.get(page).get_data(as_text=True)


def test_full_payout_batch_needs_a_reason_and_is_audited(app, client, db, drafts, finance_user, post):
    from portal.web.statement_pdf import render_statement_pdf

    service.approve(db, FINANCE, drafts["sup@teste.athenas"], render_statement_pdf, app.config["STORAGE_DIR"])
    masked = client.get("/finance/statements/payouts/export.csv").get_data(as_text=True)
    assert "***" in masked
    page = "/finance/statements/payouts/export-full"
    assert post(page, {"reason": "curto"}, page=page).status_code == 422
    full = post(page, {"reason": "Envio do lote de março ao banco"}, page=page)
    assert full.status_code == 200 and "***" not in full.get_data(as_text=True)
    logged = db.scalar(select(AuditEntry).where(AuditEntry.action == "commission_payout.exported_full"))
    assert logged is not None and "Envio do lote" in str(logged.details)
    monitoring = client.get("/finance/statements/payouts").get_data(as_text=True)
    assert "R$ 30,00" in monitoring


def test_verify_command(app, db, drafts):
    from portal.web.statement_pdf import render_statement_pdf

    ana = drafts["ana@teste.athenas"]
    service.approve(db, FINANCE, ana, render_statement_pdf, app.config["STORAGE_DIR"])
    # The command runs in its own transaction: it cannot see this test's rows, so it is
    # checked on an unknown code (the matching path is covered by the page and the service).
    runner = app.test_cli_runner()
    result = runner.invoke(args=["statement-verify", "0" * 64])
    assert result.exit_code == 1 and "Nenhum extrato" in result.output
